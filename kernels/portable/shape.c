/* SPDX-License-Identifier: MIT */
/*
 * shape.c - portable kernel of the shape-only ops (reshape, flatten, squeeze, unsqueeze): the data
 * keeps its row-major order, so the op is a copy, and nothing at all when the memory planner
 * gave the output the input's buffer.
 */
#include "autodiff_kernels.h"

void ad_copy_f32(const float *x, float *y, uint32_t n)
{
    if (x == y) return;
    for (uint32_t i = 0; i < n; ++i) y[i] = x[i];
}

void ad_copy_s8(const int8_t *x, int8_t *y, uint32_t n)
{
    if (x == y) return;
    for (uint32_t i = 0; i < n; ++i) y[i] = x[i];
}
