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
