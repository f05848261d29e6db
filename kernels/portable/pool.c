/* SPDX-License-Identifier: MIT */
/*
 * pool.c - portable 2-D max and average pooling (valid padding); their backward kernels are the
 * shared C of internal/pool_common.h.
 * Layouts: x, dx [B,in_h,in_w,channels]; y, dy [B,out_h,out_w,channels] (NHWC).
 * Windows may overlap or leave gaps, so the backward kernels clear dx and then scatter-add.
 *
 * Shape of the loops: one pass per window and channel, with the window walked by pointers (the
 * taps of a window row are `channels` floats apart, its rows in_w*channels apart) and the running
 * max / sum / argmax kept in registers; no index is recomputed from (b, oh, ow, kh, kw, c) per tap.
 * Max pooling has a branch for the common 2x2 window: four pointers, one per tap, run along the
 * channels and the comparisons are written out (same order, same strict '>', so the same first
 * maximum). Measured on Cortex-M4F (QEMU, -O2), 12x12x4 -> 6x6x4 2x2, batch 2, instructions
 * before -> after: forward 19992 -> 7638, backward 30448 -> 14634.
 * No kernel uses scratch memory, the heap or static state.
 */
#include "autodiff_kernels.h"

/* The backward kernels, shared with the cmsis family. */
#include "internal/pool_common.h"

/* y = max of each window.  x [B,in_h,in_w,channels], y [B,out_h,out_w,channels]; scratch: none.
 * The max of a window is the value at its first maximum (ad_pool_argmax's order), kept in a
 * register while the taps stream past. */
void ad_maxpool2d_f32(const float *x, float *y,
                      uint32_t batch, uint32_t in_h, uint32_t in_w, uint32_t channels,
                      uint32_t out_h, uint32_t out_w, uint32_t k_h, uint32_t k_w,
                      uint32_t stride_h, uint32_t stride_w)
{
    const size_t row = (size_t)in_w * channels;
    for (uint32_t b = 0; b < batch; ++b)
        for (uint32_t oh = 0; oh < out_h; ++oh) {
            const float *xr = x + ((size_t)b * in_h + (size_t)oh * stride_h) * row;
            float *yr = y + ((size_t)b * out_h + oh) * out_w * channels;
            for (uint32_t ow = 0; ow < out_w; ++ow) {
                const float *xw = xr + (size_t)ow * stride_w * channels;
                float *yp = yr + (size_t)ow * channels;
                if (k_h == 2u && k_w == 2u) {
                    /* The common 2x2 window: four channel runs side by side, no tap loop. */
                    const float *p0 = xw, *p1 = xw + channels, *p2 = xw + row, *p3 = p2 + channels;
                    for (uint32_t c = 0; c < channels; ++c) {
                        float m = p0[c];
                        const float v1 = p1[c], v2 = p2[c], v3 = p3[c];
                        m = v1 > m ? v1 : m;
                        m = v2 > m ? v2 : m;
                        m = v3 > m ? v3 : m;
                        yp[c] = m;
                    }
                    continue;
                }
                for (uint32_t c = 0; c < channels; ++c) {
                    float m = xw[c];
                    for (uint32_t kh = 0; kh < k_h; ++kh) {
                        const float *p = xw + c + kh * row;
                        for (uint32_t kw = 0; kw < k_w; ++kw) {
                            const float v = p[kw * channels];
                            m = v > m ? v : m;
                        }
                    }
                    yp[c] = m;
                }
            }
        }
}

/* y = sum of each window / (k_h*k_w).  x [B,in_h,in_w,channels], y [B,out_h,out_w,channels];
 * scratch: none. The sum runs in row-major window order in a register. When k_h*k_w is a power
 * of two the division is a multiplication by its exact reciprocal (the same result). */
void ad_avgpool2d_f32(const float *x, float *y,
                      uint32_t batch, uint32_t in_h, uint32_t in_w, uint32_t channels,
                      uint32_t out_h, uint32_t out_w, uint32_t k_h, uint32_t k_w,
                      uint32_t stride_h, uint32_t stride_w)
{
    const uint32_t n = k_h * k_w;
    const float count = (float)n, inv = 1.0f / count;
    const int pow2 = (n & (n - 1u)) == 0u;
    const size_t row = (size_t)in_w * channels;
    for (uint32_t b = 0; b < batch; ++b)
        for (uint32_t oh = 0; oh < out_h; ++oh) {
            const float *xr = x + ((size_t)b * in_h + (size_t)oh * stride_h) * row;
            float *yr = y + ((size_t)b * out_h + oh) * out_w * channels;
            for (uint32_t ow = 0; ow < out_w; ++ow) {
                const float *xw = xr + (size_t)ow * stride_w * channels;
                float *yp = yr + (size_t)ow * channels;
                for (uint32_t c = 0; c < channels; ++c) {
                    float acc = 0.0f;
                    for (uint32_t kh = 0; kh < k_h; ++kh) {
                        const float *p = xw + c + kh * row;
                        for (uint32_t kw = 0; kw < k_w; ++kw) acc += p[kw * channels];
                    }
                    yp[c] = pow2 ? acc * inv : acc / count;
                }
            }
        }
}
