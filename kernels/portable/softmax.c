/*
 * softmax.c - portable softmax / log-softmax: over the last axis, row by row ([rows, n]), and
 * over any axis with the strided [outer, n, inner] kernels.
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

/* The strided kernels view the tensor as [outer, n, inner] and normalise along n; element
 * (o, i, j) sits at (o * n + i) * inner + j. */

void ad_log_softmax_axis_f32(const float *x, float *y, uint32_t outer, uint32_t n, uint32_t inner)
{
    for (uint32_t o = 0; o < outer; ++o)
        for (uint32_t j = 0; j < inner; ++j) {
            const float *xs = x + (size_t)o * n * inner + j;
            float *ys = y + (size_t)o * n * inner + j;
            float max = xs[0];
            for (uint32_t i = 1; i < n; ++i) max = xs[(size_t)i * inner] > max ? xs[(size_t)i * inner] : max;
            float sum = 0.0f;
            for (uint32_t i = 0; i < n; ++i) sum += expf(xs[(size_t)i * inner] - max);
            float log_sum = logf(sum);
            for (uint32_t i = 0; i < n; ++i) ys[(size_t)i * inner] = xs[(size_t)i * inner] - max - log_sum;
        }
}

void ad_log_softmax_axis_backward_f32(const float *dy, const float *y, float *dx,
                                      uint32_t outer, uint32_t n, uint32_t inner)
{
    for (uint32_t o = 0; o < outer; ++o)
        for (uint32_t j = 0; j < inner; ++j) {
            size_t start = (size_t)o * n * inner + j;
            float sum = 0.0f;
            for (uint32_t i = 0; i < n; ++i) sum += dy[start + (size_t)i * inner];
            for (uint32_t i = 0; i < n; ++i) {
                size_t k = start + (size_t)i * inner;
                dx[k] = dy[k] - expf(y[k]) * sum;
            }
        }
}

void ad_softmax_f32(const float *x, float *y, uint32_t outer, uint32_t n, uint32_t inner)
{
    for (uint32_t o = 0; o < outer; ++o)
        for (uint32_t j = 0; j < inner; ++j) {
            const float *xs = x + (size_t)o * n * inner + j;
            float *ys = y + (size_t)o * n * inner + j;
            float max = xs[0];
            for (uint32_t i = 1; i < n; ++i) max = xs[(size_t)i * inner] > max ? xs[(size_t)i * inner] : max;
            float sum = 0.0f;
            for (uint32_t i = 0; i < n; ++i) {
                float e = expf(xs[(size_t)i * inner] - max);
                ys[(size_t)i * inner] = e;
                sum += e;
            }
            for (uint32_t i = 0; i < n; ++i) ys[(size_t)i * inner] /= sum;
        }
}

void ad_softmax_backward_f32(const float *dy, const float *y, float *dx,
                             uint32_t outer, uint32_t n, uint32_t inner)
{
    for (uint32_t o = 0; o < outer; ++o)
        for (uint32_t j = 0; j < inner; ++j) {
            size_t start = (size_t)o * n * inner + j;
            float dot = 0.0f;
            for (uint32_t i = 0; i < n; ++i) dot += dy[start + (size_t)i * inner] * y[start + (size_t)i * inner];
            for (uint32_t i = 0; i < n; ++i) {
                size_t k = start + (size_t)i * inner;
                dx[k] = y[k] * (dy[k] - dot);
            }
        }
}
