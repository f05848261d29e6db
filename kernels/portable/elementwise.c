/* SPDX-License-Identifier: MIT */
/*
 * elementwise.c - portable element-wise arithmetic. The flat kernels take arrays of n floats;
 * the *_broadcast kernels walk the output row-major over `rank` dims and read each operand
 * through its own strides (0 along the axes where that operand is repeated).
 */
#include "autodiff_kernels.h"

/* The broadcasting kernels, over ad_binary_row below. */
#include "internal/broadcast_kernels.h"

void ad_add_f32(const float *x, const float *y, float *z, uint32_t n)
{
    for (uint32_t i = 0; i < n; ++i) z[i] = x[i] + y[i];
}

void ad_sub_f32(const float *x, const float *y, float *z, uint32_t n)
{
    for (uint32_t i = 0; i < n; ++i) z[i] = x[i] - y[i];
}

void ad_mul_f32(const float *x, const float *y, float *z, uint32_t n)
{
    for (uint32_t i = 0; i < n; ++i) z[i] = x[i] * y[i];
}

void ad_div_f32(const float *x, const float *y, float *z, uint32_t n)
{
    for (uint32_t i = 0; i < n; ++i) z[i] = x[i] / y[i];
}

/* Every row of the broadcasting kernels is plain C here. */
static void ad_binary_row(enum ad_binary_op op, const float *x, uint32_t sx, const float *y, uint32_t sy,
                          float *z, uint32_t n)
{
    ad_binary_row_strided(op, x, sx, y, sy, z, n);
}
