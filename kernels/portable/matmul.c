/*
 * matmul.c - portable batched matrix products. Matrices are row-major and contiguous; a stack
 * of them has batch axes `batch_dims` (batch_rank of them, possibly 0 with NULL arrays), and each
 * operand steps through the stack with its own batch strides in floats. A stride of 0 repeats
 * an operand along that axis (broadcasting); for the output it sums the products that land on
 * the same matrix, which is how the backward kernels reduce over broadcast batch axes. The
 * batch is walked row-major; the first product reaching an output matrix stores, later ones add.
 */
#include "autodiff_kernels.h"

/* out[i,j] (=|+=) sum_p x[i*x_row + p*x_col] * y[p*y_row + j*y_col], out [m,n] contiguous. */
static void product(const float *x, uint32_t x_row, uint32_t x_col, const float *y, uint32_t y_row, uint32_t y_col,
                    float *out, uint32_t m, uint32_t k, uint32_t n, int accumulate)
{
    for (uint32_t i = 0; i < m; ++i) {
        for (uint32_t j = 0; j < n; ++j) {
            float acc = 0.0f;
            for (uint32_t p = 0; p < k; ++p)
                acc += x[(size_t)i * x_row + (size_t)p * x_col] * y[(size_t)p * y_row + (size_t)j * y_col];
            out[(size_t)i * n + j] = accumulate ? out[(size_t)i * n + j] + acc : acc;
        }
    }
}

static void batched(const float *x, uint32_t x_row, uint32_t x_col, const float *y, uint32_t y_row, uint32_t y_col,
                    float *out, uint32_t m, uint32_t k, uint32_t n, uint32_t batch_rank, const uint32_t *batch_dims,
                    const uint32_t *x_bs, const uint32_t *y_bs, const uint32_t *out_bs)
{
    uint32_t index[AD_MAX_RANK] = {0};
    size_t count = 1, ox = 0, oy = 0, oo = 0;
    uint32_t d;

    for (d = 0; d < batch_rank; ++d) count *= batch_dims[d];
    for (size_t b = 0; b < count; ++b) {
        /* The output matrix was written before iff some axis it repeats along is past index 0. */
        int accumulate = 0;
        for (d = 0; d < batch_rank; ++d)
            if (out_bs[d] == 0 && index[d] != 0) accumulate = 1;
        product(x + ox, x_row, x_col, y + oy, y_row, y_col, out + oo, m, k, n, accumulate);
        d = batch_rank;
        while (d-- > 0) {
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
    batched(a, k, 1, b, n, 1, c, m, k, n, batch_rank, batch_dims, a_batch_strides, b_batch_strides, c_batch_strides);
}

void ad_matmul_backward_a_f32(const float *dc, const float *b, float *da, uint32_t m, uint32_t k, uint32_t n,
                              uint32_t batch_rank, const uint32_t *batch_dims, const uint32_t *dc_batch_strides,
                              const uint32_t *b_batch_strides, const uint32_t *da_batch_strides)
{
    /* da [m,k] = dc [m,n] * b^T, b stored [k,n]. */
    batched(dc, n, 1, b, 1, n, da, m, n, k, batch_rank, batch_dims, dc_batch_strides, b_batch_strides, da_batch_strides);
}

void ad_matmul_backward_b_f32(const float *a, const float *dc, float *db, uint32_t m, uint32_t k, uint32_t n,
                              uint32_t batch_rank, const uint32_t *batch_dims, const uint32_t *a_batch_strides,
                              const uint32_t *dc_batch_strides, const uint32_t *db_batch_strides)
{
    /* db [k,n] = a^T * dc [m,n], a stored [m,k]. */
    batched(a, 1, k, dc, n, 1, db, k, m, n, batch_rank, batch_dims, a_batch_strides, dc_batch_strides, db_batch_strides);
}
