/* SPDX-License-Identifier: MIT */
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

/* The kernels of this family (kernels/portable/internal/), over ad_matrix_product below. */
#include "internal/batched_matmul.h"
#include "internal/weighted_row_sum.h"

#define AD_CMSIS_MAX_DIM 65535u

/* One matrix of the stack (shapes as in enum ad_product). */
static void ad_matrix_product(enum ad_product kind, const float *x, const float *y, float *out,
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
            ad_strided_product(x, k, 1u, y, n, 1u, out, m, k, n, accumulate);
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
            for (uint32_t p = 0; p < k; ++p) ad_weighted_row_sum(y, n, x + p, k, m, n, out + (size_t)p * n);
        } else {
            ad_strided_product(x, 1u, k, y, n, 1u, out, k, m, n, accumulate);
        }
        return;
    }
}
