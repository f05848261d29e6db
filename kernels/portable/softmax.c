/*
 * softmax.c - portable softmax / log-softmax over the last axis, row by row: [rows, n].
 */
#include <math.h>

#include "autodiff_kernels.h"

void ad_log_softmax_f32(const float *x, float *y, uint32_t rows, uint32_t n)
{
    for (uint32_t r = 0; r < rows; ++r) {
        const float *xr = x + (size_t)r * n;
        float *yr = y + (size_t)r * n;
        float max = xr[0];
        for (uint32_t i = 1; i < n; ++i) max = xr[i] > max ? xr[i] : max;
        float sum = 0.0f;
        for (uint32_t i = 0; i < n; ++i) sum += expf(xr[i] - max);
        float log_sum = logf(sum);
        for (uint32_t i = 0; i < n; ++i) yr[i] = xr[i] - max - log_sum;
    }
}

void ad_log_softmax_backward_f32(const float *dy, const float *y, float *dx, uint32_t rows, uint32_t n)
{
    for (uint32_t r = 0; r < rows; ++r) {
        const float *dyr = dy + (size_t)r * n;
        const float *yr = y + (size_t)r * n;
        float *dxr = dx + (size_t)r * n;
        float sum = 0.0f;
        for (uint32_t i = 0; i < n; ++i) sum += dyr[i];
        for (uint32_t i = 0; i < n; ++i) dxr[i] = dyr[i] - expf(yr[i]) * sum;
    }
}
