/* SPDX-License-Identifier: MIT */
/*
 * depthwise.c - portable depthwise 2-D convolution kernels: forward, input gradient, and the
 * weight gradient one element at a time (the generated code applies the optimizer to each value
 * as it is formed, as for conv2d).
 * Layouts: x, dx [B,in_h,in_w,in_c] (NHWC); w [k_h,k_w,in_c*depth_multiplier] (TFLite / CMSIS-NN
 * depthwise layout without its leading 1); y, dy [B,out_h,out_w,in_c*depth_multiplier]. Output
 * channel o = c*depth_multiplier + m reads input channel c only.
 * Padding is implicit: taps falling outside the input read zero and are skipped, using the tap
 * ranges of the conv family (ad_conv_taps, ad_conv_tap_outputs in internal/conv_common.h), so
 * "same" padding means exactly what it means for conv2d.
 *
 * Shape of the loops: for one output position and one valid tap, the output channels and their
 * weights are contiguous (NHWC, and w's last axis is the output channel), so the innermost loop
 * runs along the channels with unit stride and every output channel's sum stays one in-order
 * accumulation over the taps (kh, kw), starting from the bias, as the header promises.
 * No kernel uses scratch memory, the heap or static state.
 */
#include "autodiff_kernels.h"

#include <string.h>

/* Only the tap-range helpers; the conv kernels themselves live in conv.c. */
#define AD_CONV_COMMON_HELPERS_ONLY
#include "internal/conv_common.h"

/* y[b,oh,ow,o] = bias[o] + sum_{kh,kw} x[b,ih,iw,o/depth_multiplier] * w[kh,kw,o]   (bias may be NULL)
 * x [B,in_h,in_w,in_c], w [k_h,k_w,out_c], y [B,out_h,out_w,out_c], out_c = in_c*depth_multiplier;
 * scratch: none. Per output position, y's channels start at the bias and every valid tap adds
 * x * w along the channels, the taps in (kh, kw) order. */
void ad_depthwise_conv2d_f32(const float *x, const float *w, const float *bias, float *y,
                             uint32_t batch, uint32_t in_h, uint32_t in_w, uint32_t in_c,
                             uint32_t out_h, uint32_t out_w, uint32_t depth_multiplier,
                             uint32_t k_h, uint32_t k_w, uint32_t stride_h, uint32_t stride_w,
                             uint32_t pad_top, uint32_t pad_left)
{
    const uint32_t out_c = in_c * depth_multiplier;
    const size_t xrow = (size_t)in_w * in_c; /* one input row */
    const size_t wrow = (size_t)k_w * out_c; /* one kernel row */
    for (uint32_t b = 0; b < batch; ++b)
        for (uint32_t oh = 0; oh < out_h; ++oh) {
            uint32_t kh0, kh1;
            ad_conv_taps(oh, stride_h, pad_top, in_h, k_h, &kh0, &kh1);
            for (uint32_t ow = 0; ow < out_w; ++ow) {
                uint32_t kw0, kw1;
                ad_conv_taps(ow, stride_w, pad_left, in_w, k_w, &kw0, &kw1);
                float *yp = y + (((size_t)b * out_h + oh) * out_w + ow) * out_c;
                for (uint32_t o = 0; o < out_c; ++o) yp[o] = bias ? bias[o] : 0.0f;
                for (uint32_t kh = kh0; kh < kh1; ++kh) {
                    const float *xr = x + ((size_t)b * in_h + (oh * stride_h + kh - pad_top)) * xrow;
                    for (uint32_t kw = kw0; kw < kw1; ++kw) {
                        const float *xp = xr + (size_t)(ow * stride_w + kw - pad_left) * in_c;
                        const float *wp = w + (size_t)kh * wrow + (size_t)kw * out_c;
                        if (depth_multiplier == 1u) {
                            for (uint32_t c = 0; c < in_c; ++c) yp[c] = AD_FMA(xp[c], wp[c], yp[c]);
                        } else {
                            for (uint32_t c = 0, o = 0; c < in_c; ++c) {
                                const float v = xp[c];
                                for (uint32_t m = 0; m < depth_multiplier; ++m, ++o) yp[o] = AD_FMA(v, wp[o], yp[o]);
                            }
                        }
                    }
                }
            }
        }
}

/* dx[b,ih,iw,c] = sum over the (oh,ow,kh,kw) reading x[b,ih,iw,c] and the m < depth_multiplier of
 * dy[b,oh,ow,c*depth_multiplier+m] * w[kh,kw,c*depth_multiplier+m].
 * dy [B,out_h,out_w,out_c], w [k_h,k_w,out_c], dx [B,in_h,in_w,in_c]; scratch: none.
 * Scatter form, as conv2d's: dx is cleared, then every output position adds dy * w into the taps
 * of its window that the forward pass read; every dx element receives the same terms as the
 * gather form, in another order. */
void ad_depthwise_conv2d_backward_input_f32(const float *dy, const float *w, float *dx,
                                            uint32_t batch, uint32_t in_h, uint32_t in_w, uint32_t in_c,
                                            uint32_t out_h, uint32_t out_w, uint32_t depth_multiplier,
                                            uint32_t k_h, uint32_t k_w, uint32_t stride_h, uint32_t stride_w,
                                            uint32_t pad_top, uint32_t pad_left)
{
    const uint32_t out_c = in_c * depth_multiplier;
    const size_t xrow = (size_t)in_w * in_c;
    const size_t wrow = (size_t)k_w * out_c;
    memset(dx, 0, (size_t)batch * in_h * xrow * sizeof(float));
    for (uint32_t b = 0; b < batch; ++b)
        for (uint32_t oh = 0; oh < out_h; ++oh) {
            uint32_t kh0, kh1;
            ad_conv_taps(oh, stride_h, pad_top, in_h, k_h, &kh0, &kh1);
            for (uint32_t ow = 0; ow < out_w; ++ow) {
                uint32_t kw0, kw1;
                ad_conv_taps(ow, stride_w, pad_left, in_w, k_w, &kw0, &kw1);
                const float *dyp = dy + (((size_t)b * out_h + oh) * out_w + ow) * out_c;
                for (uint32_t kh = kh0; kh < kh1; ++kh) {
                    float *dxr = dx + ((size_t)b * in_h + (oh * stride_h + kh - pad_top)) * xrow;
                    for (uint32_t kw = kw0; kw < kw1; ++kw) {
                        float *dxp = dxr + (size_t)(ow * stride_w + kw - pad_left) * in_c;
                        const float *wp = w + (size_t)kh * wrow + (size_t)kw * out_c;
                        if (depth_multiplier == 1u) {
                            for (uint32_t c = 0; c < in_c; ++c) dxp[c] = AD_FMA(dyp[c], wp[c], dxp[c]);
                        } else {
                            for (uint32_t c = 0, o = 0; c < in_c; ++c) {
                                float acc = dxp[c];
                                for (uint32_t m = 0; m < depth_multiplier; ++m, ++o) acc = AD_FMA(dyp[o], wp[o], acc);
                                dxp[c] = acc;
                            }
                        }
                    }
                }
            }
        }
}

/* One element k = (kh*k_w + kw)*out_c + o of the weight gradient ([k_h,k_w,out_c] layout):
 * returns sum_{b,oh,ow} dy[b,oh,ow,o] * x[b,ih,iw,o/depth_multiplier] over the positions whose
 * tap (kh, kw) is inside the input, in increasing (b, oh, ow) order (one accumulator).
 * dy [B,out_h,out_w,out_c], x [B,in_h,in_w,in_c]; scratch: none; no state across calls.
 * The valid (oh, ow) rectangle is found once (ad_conv_tap_outputs), then walked by two offsets
 * that step by precomputed strides, with no per-position test. */
float ad_depthwise_conv2d_backward_weight_element_f32(const float *dy, const float *x,
                                                      uint32_t batch, uint32_t in_h, uint32_t in_w, uint32_t in_c,
                                                      uint32_t out_h, uint32_t out_w, uint32_t depth_multiplier,
                                                      uint32_t k_h, uint32_t k_w, uint32_t stride_h, uint32_t stride_w,
                                                      uint32_t pad_top, uint32_t pad_left, uint32_t k)
{
    const uint32_t out_c = in_c * depth_multiplier;
    const uint32_t o = k % out_c;
    const uint32_t t = k / out_c;
    const uint32_t kw = t % k_w;
    const uint32_t kh = t / k_w;
    const uint32_t c = depth_multiplier == 1u ? o : o / depth_multiplier;
    uint32_t oh0, oh1, ow0, ow1;
    ad_conv_tap_outputs(in_h, out_h, stride_h, pad_top, kh, &oh0, &oh1);
    ad_conv_tap_outputs(in_w, out_w, stride_w, pad_left, kw, &ow0, &ow1);
    float acc = 0.0f;
    (void)k_h;
    if (oh0 == oh1 || ow0 == ow1) return acc;
    /* Offsets of dy[b,oh,ow,o] and x[b,ih,iw,c] (integers, so stepping past the last term forms
     * no out-of-range pointer); a row's terms are pcol (qcol) floats apart, rows prow (qrow). */
    const size_t pcol = out_c, qcol = (size_t)stride_w * in_c;
    const size_t prow = (size_t)out_w * out_c, qrow = (size_t)stride_h * in_w * in_c;
    const size_t pbatch = (size_t)out_h * prow, qbatch = (size_t)in_h * in_w * in_c;
    const size_t p0 = ((size_t)oh0 * out_w + ow0) * out_c + o;
    const size_t q0 = ((size_t)(oh0 * stride_h + kh - pad_top) * in_w + (ow0 * stride_w + kw - pad_left)) * in_c + c;
    for (uint32_t b = 0; b < batch; ++b)
        for (uint32_t oh = oh0; oh < oh1; ++oh) {
            size_t p = p0 + b * pbatch + (oh - oh0) * prow;
            size_t q = q0 + b * qbatch + (oh - oh0) * qrow;
            for (uint32_t ow = ow0; ow < ow1; ++ow, p += pcol, q += qcol) acc = AD_FMA(dy[p], x[q], acc);
        }
    return acc;
}
