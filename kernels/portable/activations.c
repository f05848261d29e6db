/*
 * activations.c - portable element-wise activations and their backward kernels.
 * Backward kernels take the saved forward value (input or output, see each function).
 */
#include <math.h>

#include "autodiff_kernels.h"

void ad_sigmoid_f32(const float *x, float *y, uint32_t n)
{
    for (uint32_t i = 0; i < n; ++i) {
        /* Split on the sign so exp never overflows. */
        if (x[i] >= 0.0f) {
            y[i] = 1.0f / (1.0f + expf(-x[i]));
        } else {
            float e = expf(x[i]);
            y[i] = e / (1.0f + e);
        }
    }
}

void ad_sigmoid_backward_f32(const float *dy, const float *y, float *dx, uint32_t n)
{
    for (uint32_t i = 0; i < n; ++i) dx[i] = dy[i] * (y[i] * (1.0f - y[i]));
}

void ad_relu_f32(const float *x, float *y, uint32_t n)
{
    for (uint32_t i = 0; i < n; ++i) y[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

void ad_relu_backward_f32(const float *dy, const float *y, float *dx, uint32_t n)
{
    for (uint32_t i = 0; i < n; ++i) dx[i] = dy[i] * (y[i] > 0.0f ? 1.0f : 0.0f);
}

void ad_leaky_relu_f32(const float *x, float *y, uint32_t n, float slope)
{
    for (uint32_t i = 0; i < n; ++i) y[i] = x[i] > 0.0f ? x[i] : slope * x[i];
}

void ad_leaky_relu_backward_f32(const float *dy, const float *saved, float *dx, uint32_t n, float slope)
{
    for (uint32_t i = 0; i < n; ++i) dx[i] = dy[i] * (saved[i] > 0.0f ? 1.0f : slope);
}

void ad_tanh_f32(const float *x, float *y, uint32_t n)
{
    for (uint32_t i = 0; i < n; ++i) y[i] = tanhf(x[i]);
}

void ad_tanh_backward_f32(const float *dy, const float *y, float *dx, uint32_t n)
{
    for (uint32_t i = 0; i < n; ++i) dx[i] = dy[i] * (1.0f - y[i] * y[i]);
}
