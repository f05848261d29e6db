/* SPDX-License-Identifier: MIT */
/*
 * pool_common.h - the backward kernels of 2-D max and average pooling (valid padding) in C, which
 * every implementation of the pool family shares: the portable kernels, and the cmsis family on
 * cores without Helium (whose forward passes are CMSIS-NN's).
 * Layouts: x, dx [B,in_h,in_w,channels]; dy [B,out_h,out_w,channels] (NHWC).
 * Windows may overlap or leave gaps, so the backward kernels clear dx and then scatter-add.
 * See ../pool.c for the shape of the loops and measured figures.
 *
 * This header defines external functions of the kernel ABI: exactly one pool.c per firmware
 * includes it.
 */
#ifndef AD_INTERNAL_POOL_COMMON_H
#define AD_INTERNAL_POOL_COMMON_H

#include <string.h>

#include "../autodiff_kernels.h"

/* The first maximum, in row-major window order, of the window starting at px: k_h rows `row`
 * floats apart, k_w taps `tap` floats apart. Strict '>' keeps the earliest of equal values (and
 * a NaN in the first tap, as before). */
static const float *ad_pool_argmax(const float *px, uint32_t k_h, uint32_t k_w, size_t row, size_t tap)
{
    const float *best = px;
    float m = *px;
    for (uint32_t kh = 0; kh < k_h; ++kh) {
        const float *p = px + kh * row;
        for (uint32_t kw = 0; kw < k_w; ++kw) {
            const float v = p[kw * tap];
            if (v > m) {
                m = v;
                best = p + kw * tap;
            }
        }
    }
    return best;
}

/* dx = 0, then dx[first max of each window (row-major)] += dy of that window.
 * dy [B,out_h,out_w,channels], x, dx [B,in_h,in_w,channels]; scratch: none.
 * The maxima are found again from the forward input x; the argmax pointer into x gives the
 * position in dx by one subtraction. */
void ad_maxpool2d_backward_f32(const float *dy, const float *x, float *dx,
                               uint32_t batch, uint32_t in_h, uint32_t in_w, uint32_t channels,
                               uint32_t out_h, uint32_t out_w, uint32_t k_h, uint32_t k_w,
                               uint32_t stride_h, uint32_t stride_w)
{
    const size_t row = (size_t)in_w * channels;
    memset(dx, 0, (size_t)batch * in_h * row * sizeof(float));
    for (uint32_t b = 0; b < batch; ++b)
        for (uint32_t oh = 0; oh < out_h; ++oh) {
            const float *xr = x + ((size_t)b * in_h + (size_t)oh * stride_h) * row;
            const float *dyr = dy + ((size_t)b * out_h + oh) * out_w * channels;
            for (uint32_t ow = 0; ow < out_w; ++ow) {
                const float *xw = xr + (size_t)ow * stride_w * channels;
                const float *dyp = dyr + (size_t)ow * channels;
                if (k_h == 2u && k_w == 2u) {
                    /* The common 2x2 window: the first maximum of four values, without a tap loop. */
                    const float *p0 = xw, *p1 = xw + channels, *p2 = xw + row, *p3 = p2 + channels;
                    for (uint32_t c = 0; c < channels; ++c) {
                        const float *best = p0 + c;
                        float m = *best;
                        if (p1[c] > m) { best = p1 + c; m = *best; }
                        if (p2[c] > m) { best = p2 + c; m = *best; }
                        if (p3[c] > m) best = p3 + c;
                        dx[best - x] += dyp[c];
                    }
                    continue;
                }
                for (uint32_t c = 0; c < channels; ++c)
                    dx[ad_pool_argmax(xw + c, k_h, k_w, row, channels) - x] += dyp[c];
            }
        }
}

/* dx = 0, then every element of each window += dy of that window / (k_h*k_w).
 * dy [B,out_h,out_w,channels], dx [B,in_h,in_w,channels]; scratch: none.
 * The share is formed once per window and channel (multiplication by the exact reciprocal when
 * k_h*k_w is a power of two, else the division, as before) and added along the window. */
void ad_avgpool2d_backward_f32(const float *dy, float *dx,
                               uint32_t batch, uint32_t in_h, uint32_t in_w, uint32_t channels,
                               uint32_t out_h, uint32_t out_w, uint32_t k_h, uint32_t k_w,
                               uint32_t stride_h, uint32_t stride_w)
{
    const uint32_t n = k_h * k_w;
    const float count = (float)n, inv = 1.0f / count;
    const int pow2 = (n & (n - 1u)) == 0u;
    const size_t row = (size_t)in_w * channels;
    memset(dx, 0, (size_t)batch * in_h * row * sizeof(float));
    for (uint32_t b = 0; b < batch; ++b)
        for (uint32_t oh = 0; oh < out_h; ++oh) {
            float *dxr = dx + ((size_t)b * in_h + (size_t)oh * stride_h) * row;
            const float *dyr = dy + ((size_t)b * out_h + oh) * out_w * channels;
            for (uint32_t ow = 0; ow < out_w; ++ow) {
                float *dxw = dxr + (size_t)ow * stride_w * channels;
                const float *dyp = dyr + (size_t)ow * channels;
                for (uint32_t c = 0; c < channels; ++c) {
                    const float share = pow2 ? dyp[c] * inv : dyp[c] / count;
                    for (uint32_t kh = 0; kh < k_h; ++kh) {
                        float *p = dxw + c + kh * row;
                        for (uint32_t kw = 0; kw < k_w; ++kw) p[kw * channels] += share;
                    }
                }
            }
        }
}

#endif
