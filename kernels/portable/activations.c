/*
 * activations.c - portable element-wise functions the generated code calls instead of writing
 * the loop (see autodiff_kernels.h): the same expressions as the inline loops of the other
 * functions. x, y, dy, dx [n], float32. No scratch.
 */
#include "autodiff_kernels.h"

/* The backward kernels, shared with the cmsis family. */
#include "internal/activations_common.h"

/* y[i] = x[i] > 0 ? x[i] : 0. In place allowed. */
void ad_relu_f32(const float *x, float *y, uint32_t n)
{
    for (uint32_t i = 0; i < n; ++i) {
        const float u = x[i];
        y[i] = u > 0.0f ? u : 0.0f;
    }
}
