/* SPDX-License-Identifier: MIT */
/*
 * batched_matmul.h - the kernels of the matmul family (ad_matmul_f32 and its two backward
 * kernels), written once for every kernel implementation.
 *
 * Matrices are row-major and contiguous; a stack of them has batch axes `batch_dims` (batch_rank
 * of them, possibly 0 with NULL arrays), and each operand steps through the stack with its own
 * batch strides in floats. A stride of 0 repeats an operand along that axis (broadcasting); for
 * the output it sums the products that land on the same matrix, which is how the backward kernels
 * reduce over broadcast batch axes. The batch is walked row-major; the first product reaching an
 * output matrix stores, later ones add.
 *
 * The walk is the same everywhere; only the product of one matrix differs. So the including file
 * defines ad_matrix_product, declared below, and may fall back on ad_strided_product for the
 * products it has no faster form of. This header defines external functions of the kernel ABI:
 * exactly one matmul.c per firmware includes it.
 */
#ifndef AD_INTERNAL_BATCHED_MATMUL_H
#define AD_INTERNAL_BATCHED_MATMUL_H

#include "../autodiff_kernels.h"

/* The three per-matrix products; x and y are the kernel's two inputs in argument order.
 * AD_AB: x [m,k], y [k,n], out [m,n].  AD_ABT: x = dC [m,n], y = B [k,n], out = dA [m,k].
 * AD_ATB: x = A [m,k], y = dC [m,n], out = dB [k,n]. */
enum ad_product { AD_AB, AD_ABT, AD_ATB };

/* out[i,j] (=|+=) sum_p x[i*x_row + p*x_col] * y[p*y_row + j*y_col] for out [rows,cols] contiguous,
 * inner length len, summed in increasing p.
 *
 * Outputs are computed in blocks of two rows by four columns: each loaded x value serves four
 * products and each loaded y value two, the operands advance by pointer steps instead of index
 * products, and each output still sums its own products from 0 in increasing p (the same rounding
 * as one output at a time). Leftover columns and a leftover row take narrower blocks. */
#if defined(__GNUC__)
/* Inlined into each call so that the unit strides of the call (1u) become immediate offsets and
 * post-increments in the inner loops. */
#define AD_PRODUCT_INLINE static inline __attribute__((always_inline))
#else
#define AD_PRODUCT_INLINE static inline
#endif

AD_PRODUCT_INLINE void ad_strided_product(const float *x, size_t x_row, size_t x_col, const float *y, size_t y_row,
                                      size_t y_col, float *out, uint32_t rows, uint32_t len, uint32_t cols,
                                      int accumulate)
{
    uint32_t i = 0;
    for (; i + 2u <= rows; i += 2u, x += 2u * x_row, out += 2u * (size_t)cols) {
        float *o0 = out, *o1 = out + cols;
        uint32_t j = 0;
        for (; j + 4u <= cols; j += 4u) {
            const float *x0 = x, *x1 = x + x_row, *y0 = y + (size_t)j * y_col;
            float a0 = 0.0f, a1 = 0.0f, a2 = 0.0f, a3 = 0.0f, b0 = 0.0f, b1 = 0.0f, b2 = 0.0f, b3 = 0.0f;
            for (uint32_t p = 0; p < len; ++p, x0 += x_col, x1 += x_col, y0 += y_row) {
                const float u = *x0, v = *x1, w0 = y0[0], w1 = y0[y_col], w2 = y0[2u * y_col],
                            w3 = y0[3u * y_col];
                a0 += u * w0;
                a1 += u * w1;
                a2 += u * w2;
                a3 += u * w3;
                b0 += v * w0;
                b1 += v * w1;
                b2 += v * w2;
                b3 += v * w3;
            }
            if (accumulate) {
                o0[j] += a0; o0[j + 1u] += a1; o0[j + 2u] += a2; o0[j + 3u] += a3;
                o1[j] += b0; o1[j + 1u] += b1; o1[j + 2u] += b2; o1[j + 3u] += b3;
            } else {
                o0[j] = a0; o0[j + 1u] = a1; o0[j + 2u] = a2; o0[j + 3u] = a3;
                o1[j] = b0; o1[j + 1u] = b1; o1[j + 2u] = b2; o1[j + 3u] = b3;
            }
        }
        for (; j < cols; ++j) {
            const float *x0 = x, *x1 = x + x_row, *yp = y + (size_t)j * y_col;
            float a = 0.0f, b = 0.0f;
            for (uint32_t p = 0; p < len; ++p, x0 += x_col, x1 += x_col, yp += y_row) {
                a += *x0 * *yp;
                b += *x1 * *yp;
            }
            o0[j] = accumulate ? o0[j] + a : a;
            o1[j] = accumulate ? o1[j] + b : b;
        }
    }
    if (i < rows) { /* the last odd row */
        for (uint32_t j = 0; j < cols; ++j) {
            const float *xp = x, *yp = y + (size_t)j * y_col;
            float acc = 0.0f;
            for (uint32_t p = 0; p < len; ++p, xp += x_col, yp += y_row) acc += *xp * *yp;
            out[j] = accumulate ? out[j] + acc : acc;
        }
    }
}

#undef AD_PRODUCT_INLINE

/* One matrix of the stack (shapes as in enum ad_product), adding to out when accumulate is set;
 * defined by the including file. */
static void ad_matrix_product(enum ad_product kind, const float *x, const float *y, float *out,
                              uint32_t m, uint32_t k, uint32_t n, int accumulate);

static void ad_batched_product(enum ad_product kind, const float *x, const float *y, float *out, uint32_t m,
                               uint32_t k, uint32_t n, uint32_t batch_rank, const uint32_t *batch_dims,
                               const uint32_t *x_bs, const uint32_t *y_bs, const uint32_t *out_bs)
{
    uint32_t index[AD_MAX_RANK];
    size_t count = 1, ox = 0, oy = 0, oo = 0;
    uint32_t d;

    for (d = 0; d < batch_rank; ++d) {
        count *= batch_dims[d];
        index[d] = 0;
    }
    for (size_t b = 0; b < count; ++b) {
        /* The output matrix was written before iff some axis it repeats along is past index 0. */
        int accumulate = 0;
        for (d = 0; d < batch_rank; ++d)
            if (out_bs[d] == 0u && index[d] != 0u) accumulate = 1;
        ad_matrix_product(kind, x + ox, y + oy, out + oo, m, k, n, accumulate);
        d = batch_rank;
        while (d-- > 0u) {
            ox += x_bs[d];
            oy += y_bs[d];
            oo += out_bs[d];
            if (++index[d] < batch_dims[d]) break;
            ox -= (size_t)x_bs[d] * batch_dims[d];
            oy -= (size_t)y_bs[d] * batch_dims[d];
            oo -= (size_t)out_bs[d] * batch_dims[d];
            index[d] = 0;
        }
    }
}

void ad_matmul_f32(const float *a, const float *b, float *c, uint32_t m, uint32_t k, uint32_t n,
                   uint32_t batch_rank, const uint32_t *batch_dims, const uint32_t *a_batch_strides,
                   const uint32_t *b_batch_strides, const uint32_t *c_batch_strides)
{
    ad_batched_product(AD_AB, a, b, c, m, k, n, batch_rank, batch_dims, a_batch_strides, b_batch_strides,
                       c_batch_strides);
}

void ad_matmul_backward_a_f32(const float *dc, const float *b, float *da, uint32_t m, uint32_t k, uint32_t n,
                              uint32_t batch_rank, const uint32_t *batch_dims, const uint32_t *dc_batch_strides,
                              const uint32_t *b_batch_strides, const uint32_t *da_batch_strides)
{
    ad_batched_product(AD_ABT, dc, b, da, m, k, n, batch_rank, batch_dims, dc_batch_strides, b_batch_strides,
                       da_batch_strides);
}

void ad_matmul_backward_b_f32(const float *a, const float *dc, float *db, uint32_t m, uint32_t k, uint32_t n,
                              uint32_t batch_rank, const uint32_t *batch_dims, const uint32_t *a_batch_strides,
                              const uint32_t *dc_batch_strides, const uint32_t *db_batch_strides)
{
    ad_batched_product(AD_ATB, a, dc, db, m, k, n, batch_rank, batch_dims, a_batch_strides, dc_batch_strides,
                       db_batch_strides);
}

#endif
