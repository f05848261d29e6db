/*
 * matmul.c - batched matrix products on CMSIS-DSP. Same functions and semantics as
 * kernels/portable/matmul.c: stacks of row-major contiguous matrices with batch axes batch_dims,
 * each operand stepping through the stack by its own batch strides (0 repeats an input; for the
 * output, 0 sums the products landing on the same matrix: the first stores, later ones add).
 *
 * CMSIS-DSP has uint16_t matrix dimensions and no fused transposed product, so per matrix:
 *   C = A * B       arm_mat_mult_f32 (dimensions <= 65535);
 *   dA = dC * B^T   one arm_dot_prod_f32 per element (rows of dC and of B are both contiguous);
 *   dB = A^T * dC   rows of dC scaled by a column of A and summed (arm_scale_f32, then four rows
 *                   per pass in C), never forming A^T.
 * A product that adds to an output matrix already written, or that does not fit uint16_t, is
 * plain C. Sums over the inner index run in increasing order.
 */
#include "autodiff_kernels.h"

#include "arm_math.h"

#define AD_CMSIS_MAX_DIM 65535u

/* The three per-matrix products; x and y are the kernel's two inputs in argument order. */
enum ad_product { AD_AB, AD_ABT, AD_ATB };

/* out[i,j] (=|+=) sum_p x[i*x_row + p*x_col] * y[p*y_row + j*y_col] for out [rows,cols], inner length len. */
static void strided_product(const float *x, size_t x_row, size_t x_col, const float *y, size_t y_row, size_t y_col,
                            float *out, uint32_t rows, uint32_t len, uint32_t cols, int accumulate)
{
    for (uint32_t i = 0; i < rows; ++i) {
        for (uint32_t j = 0; j < cols; ++j) {
            float acc = 0.0f;
            for (uint32_t p = 0; p < len; ++p) acc += x[(size_t)i * x_row + (size_t)p * x_col] * y[(size_t)p * y_row + (size_t)j * y_col];
            out[(size_t)i * cols + j] = accumulate ? out[(size_t)i * cols + j] + acc : acc;
        }
    }
}

/* y[j] = sum_r c[r * c_stride] * m[r * m_stride + j], j < n, rows >= 1, summed in increasing r. */
static void weighted_row_sum(const float *m, size_t m_stride, const float *c, size_t c_stride,
                             uint32_t rows, uint32_t n, float *y)
{
    uint32_t r = 1;
    arm_scale_f32(m, c[0], y, n);
    for (; r + 3u < rows; r += 4u) {
        const float c0 = c[(size_t)r * c_stride], c1 = c[(size_t)(r + 1u) * c_stride];
        const float c2 = c[(size_t)(r + 2u) * c_stride], c3 = c[(size_t)(r + 3u) * c_stride];
        const float *m0 = m + (size_t)r * m_stride;
        const float *m1 = m0 + m_stride, *m2 = m1 + m_stride, *m3 = m2 + m_stride;
        for (uint32_t j = 0; j < n; ++j) y[j] = (((y[j] + c0 * m0[j]) + c1 * m1[j]) + c2 * m2[j]) + c3 * m3[j];
    }
    for (; r < rows; ++r) {
        const float c0 = c[(size_t)r * c_stride];
        const float *m0 = m + (size_t)r * m_stride;
        for (uint32_t j = 0; j < n; ++j) y[j] += c0 * m0[j];
    }
}

/* One matrix of the stack. Shapes per kind: AB x [m,k], y [k,n], out [m,n];
 * ABT x = dC [m,n], y = B [k,n], out = dA [m,k];  ATB x = A [m,k], y = dC [m,n], out = dB [k,n]. */
static void product(enum ad_product kind, const float *x, const float *y, float *out,
                    uint32_t m, uint32_t k, uint32_t n, int accumulate)
{
    switch (kind) {
    case AD_AB:
        if (!accumulate && k > 0u && m <= AD_CMSIS_MAX_DIM && k <= AD_CMSIS_MAX_DIM && n <= AD_CMSIS_MAX_DIM) {
            arm_matrix_instance_f32 a, b, c;
            arm_mat_init_f32(&a, (uint16_t)m, (uint16_t)k, (float32_t *)x); /* inputs are only read */
            arm_mat_init_f32(&b, (uint16_t)k, (uint16_t)n, (float32_t *)y);
            arm_mat_init_f32(&c, (uint16_t)m, (uint16_t)n, out);
            (void)arm_mat_mult_f32(&a, &b, &c);
        } else {
            strided_product(x, k, 1u, y, n, 1u, out, m, k, n, accumulate);
        }
        return;
    case AD_ABT:
        for (uint32_t i = 0; i < m; ++i) {
            for (uint32_t p = 0; p < k; ++p) {
                float32_t acc = 0.0f;
                float *o = out + (size_t)i * k + p;
                if (n > 0u) arm_dot_prod_f32(x + (size_t)i * n, y + (size_t)p * n, n, &acc);
                *o = accumulate ? *o + acc : acc;
            }
        }
        return;
    case AD_ATB:
        if (!accumulate && m > 0u) {
            for (uint32_t p = 0; p < k; ++p) weighted_row_sum(y, n, x + p, k, m, n, out + (size_t)p * n);
        } else {
            strided_product(x, 1u, k, y, n, 1u, out, k, m, n, accumulate);
        }
        return;
    }
}

/* Walks the batch stack row-major; an output matrix is accumulated into once some axis along which
 * its stride is 0 is past index 0. */
static void batched(enum ad_product kind, const float *x, const float *y, float *out, uint32_t m, uint32_t k, uint32_t n,
                    uint32_t batch_rank, const uint32_t *batch_dims, const uint32_t *x_bs, const uint32_t *y_bs,
                    const uint32_t *out_bs)
{
    uint32_t index[AD_MAX_RANK] = {0};
    size_t count = 1, ox = 0, oy = 0, oo = 0;
    uint32_t d;

    for (d = 0; d < batch_rank; ++d) count *= batch_dims[d];
    for (size_t b = 0; b < count; ++b) {
        int accumulate = 0;
        for (d = 0; d < batch_rank; ++d)
            if (out_bs[d] == 0u && index[d] != 0u) accumulate = 1;
        product(kind, x + ox, y + oy, out + oo, m, k, n, accumulate);
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

/* c[..,i,j] = sum_p a[..,i,p] * b[..,p,j].  a [..,m,k], b [..,k,n], c [..,m,n]. */
void ad_matmul_f32(const float *a, const float *b, float *c, uint32_t m, uint32_t k, uint32_t n,
                   uint32_t batch_rank, const uint32_t *batch_dims, const uint32_t *a_batch_strides,
                   const uint32_t *b_batch_strides, const uint32_t *c_batch_strides)
{
    batched(AD_AB, a, b, c, m, k, n, batch_rank, batch_dims, a_batch_strides, b_batch_strides, c_batch_strides);
}

/* da[..,i,p] = sum_j dc[..,i,j] * b[..,p,j] (dC * B^T).  dc [..,m,n], b [..,k,n], da [..,m,k]. */
void ad_matmul_backward_a_f32(const float *dc, const float *b, float *da, uint32_t m, uint32_t k, uint32_t n,
                              uint32_t batch_rank, const uint32_t *batch_dims, const uint32_t *dc_batch_strides,
                              const uint32_t *b_batch_strides, const uint32_t *da_batch_strides)
{
    batched(AD_ABT, dc, b, da, m, k, n, batch_rank, batch_dims, dc_batch_strides, b_batch_strides, da_batch_strides);
}

/* db[..,p,j] = sum_i a[..,i,p] * dc[..,i,j] (A^T * dC).  a [..,m,k], dc [..,m,n], db [..,k,n]. */
void ad_matmul_backward_b_f32(const float *a, const float *dc, float *db, uint32_t m, uint32_t k, uint32_t n,
                              uint32_t batch_rank, const uint32_t *batch_dims, const uint32_t *a_batch_strides,
                              const uint32_t *dc_batch_strides, const uint32_t *db_batch_strides)
{
    batched(AD_ATB, a, dc, db, m, k, n, batch_rank, batch_dims, a_batch_strides, dc_batch_strides, db_batch_strides);
}
