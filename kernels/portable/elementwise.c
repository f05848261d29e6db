/*
 * elementwise.c - portable element-wise arithmetic. All tensors are flat arrays of n floats.
 */
#include "autodiff_kernels.h"

void ad_add_f32(const float *x, const float *y, float *z, uint32_t n)
{
    for (uint32_t i = 0; i < n; ++i) z[i] = x[i] + y[i];
}
