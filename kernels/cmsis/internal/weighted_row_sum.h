/* SPDX-License-Identifier: MIT */
/*
 * weighted_row_sum.h - the weighted sum of matrix rows on CMSIS-DSP, with which the
 * matmul kernels form transposed products (W^T * dy, A^T * dC) without a transposed copy.
 */
#ifndef AD_INTERNAL_WEIGHTED_ROW_SUM_H
#define AD_INTERNAL_WEIGHTED_ROW_SUM_H

#include "autodiff_kernels.h"

#include "arm_math.h"

/* y[j] = sum_r c[r * c_stride] * m[r * m_stride + j] for j < n, rows >= 1: a weighted sum of the
 * rows of m [rows, m_stride], accumulated row by row in increasing r (arm_scale_f32 for the first
 * row, then four rows per pass in C). y [n] must not alias m or c. */
static inline void ad_weighted_row_sum(const float *m, size_t m_stride, const float *c, size_t c_stride,
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

#endif
