/* SPDX-License-Identifier: MIT */
/*
 * activations_common.h - the kernels of activations.c in C, which every implementation shares:
 * the portable kernels, and the cmsis family on cores without Helium (where CMSIS-NN's scalar
 * ReLU passes -0 and NaN through, against the contract).
 *
 * This header defines external functions of the kernel ABI: exactly one activations.c per
 * firmware includes it.
 */
#ifndef AD_INTERNAL_ACTIVATIONS_COMMON_H
#define AD_INTERNAL_ACTIVATIONS_COMMON_H

#include "../autodiff_kernels.h"

/* y[i] = x[i] > 0 ? x[i] : 0 (+0 for -0 and NaN).  x, y [n]; in place allowed. No scratch. */
void ad_relu_f32(const float *x, float *y, uint32_t n)
{
    for (uint32_t i = 0; i < n; ++i) {
        const float u = x[i];
        y[i] = u > 0.0f ? u : 0.0f;
    }
}

/* dx[i] = dy[i] * (y[i] > 0 ? 1 : 0): a multiplication, as the interpreter, so an infinite or NaN
 * dy where y <= 0 gives NaN, and a negative dy -0.  dy, y, dx [n]; in place allowed. No scratch. */
void ad_relu_backward_f32(const float *dy, const float *y, float *dx, uint32_t n)
{
    for (uint32_t i = 0; i < n; ++i) dx[i] = dy[i] * (y[i] > 0.0f ? 1.0f : 0.0f);
}

#endif
