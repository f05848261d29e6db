/* SPDX-License-Identifier: MIT */
/*
 * broadcast_kernels.h - the NumPy-broadcasting kernels of the elementwise family
 * (ad_add/sub/mul/div_broadcast_f32), written once for every kernel implementation.
 *
 * The walk over the output is the same everywhere; only the innermost row differs (CMSIS-DSP
 * hands contiguous and repeated-scalar rows to its vector functions). So the including file
 * defines ad_binary_row, declared below, and may fall back on ad_binary_row_strided for the rows
 * it has no faster form of. This header defines external functions of the kernel ABI: exactly
 * one elementwise.c per firmware includes it.
 */
#ifndef AD_INTERNAL_BROADCAST_KERNELS_H
#define AD_INTERNAL_BROADCAST_KERNELS_H

#include "../autodiff_kernels.h"

enum ad_binary_op { AD_BINARY_ADD, AD_BINARY_SUB, AD_BINARY_MUL, AD_BINARY_DIV };

/* z[j] = x[j*sx] op y[j*sy], j < n, in plain C. The switch sits outside the loops so each case
 * vectorises on its own. */
static inline void ad_binary_row_strided(enum ad_binary_op op, const float *x, uint32_t sx, const float *y,
                                         uint32_t sy, float *z, uint32_t n)
{
    switch (op) {
    case AD_BINARY_ADD: for (uint32_t j = 0; j < n; ++j) z[j] = x[(size_t)j * sx] + y[(size_t)j * sy]; break;
    case AD_BINARY_SUB: for (uint32_t j = 0; j < n; ++j) z[j] = x[(size_t)j * sx] - y[(size_t)j * sy]; break;
    case AD_BINARY_MUL: for (uint32_t j = 0; j < n; ++j) z[j] = x[(size_t)j * sx] * y[(size_t)j * sy]; break;
    case AD_BINARY_DIV: for (uint32_t j = 0; j < n; ++j) z[j] = x[(size_t)j * sx] / y[(size_t)j * sy]; break;
    }
}

/* One innermost row, z[j] = x[j*sx] op y[j*sy] for j < n; defined by the including file. */
static void ad_binary_row(enum ad_binary_op op, const float *x, uint32_t sx, const float *y, uint32_t sy,
                          float *z, uint32_t n);

/* Walks the leading rank-1 axes of z like an odometer, one innermost row per position. */
static void ad_binary_broadcast(enum ad_binary_op op, const float *x, const float *y, float *z, uint32_t rank,
                                const uint32_t *dims, const uint32_t *x_strides, const uint32_t *y_strides)
{
    uint32_t index[AD_MAX_RANK] = {0};
    size_t ox = 0, oy = 0, rows = 1;
    uint32_t inner, d;

    if (rank == 0u) {
        ad_binary_row(op, x, 0u, y, 0u, z, 1u);
        return;
    }
    inner = dims[rank - 1u];
    for (d = 0; d + 1u < rank; ++d) rows *= dims[d];
    for (size_t r = 0; r < rows; ++r) {
        ad_binary_row(op, x + ox, x_strides[rank - 1u], y + oy, y_strides[rank - 1u], z + r * inner, inner);
        /* Advance the outer axes, keeping both operand offsets in step. */
        d = rank - 1u;
        while (d-- > 0u) {
            ox += x_strides[d];
            oy += y_strides[d];
            if (++index[d] < dims[d]) break;
            ox -= (size_t)x_strides[d] * dims[d];
            oy -= (size_t)y_strides[d] * dims[d];
            index[d] = 0;
        }
    }
}

/* The four kernels of the ABI differ only in the operation. */
#define AD_BROADCAST_KERNEL(name, op)                                                               \
    void name(const float *x, const float *y, float *z, uint32_t rank, const uint32_t *dims,        \
              const uint32_t *x_strides, const uint32_t *y_strides)                                 \
    {                                                                                               \
        ad_binary_broadcast(op, x, y, z, rank, dims, x_strides, y_strides);                         \
    }

AD_BROADCAST_KERNEL(ad_add_broadcast_f32, AD_BINARY_ADD)
AD_BROADCAST_KERNEL(ad_sub_broadcast_f32, AD_BINARY_SUB)
AD_BROADCAST_KERNEL(ad_mul_broadcast_f32, AD_BINARY_MUL)
AD_BROADCAST_KERNEL(ad_div_broadcast_f32, AD_BINARY_DIV)

#undef AD_BROADCAST_KERNEL

#endif
