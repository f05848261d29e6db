/*
 * conv.c - portable 2-D convolution kernels: forward, input gradient, and the weight gradient one
 * element at a time (the generated code applies the optimizer to each value as it is formed, so no
 * gradient buffer exists).
 * Layouts: x [B,in_h,in_w,in_c] (NHWC), w [filters,k_h,k_w,in_c] (OHWI), y [B,out_h,out_w,filters].
 * Padding is implicit: taps falling outside the input read zero and are skipped.
 */
#include "autodiff_kernels.h"

void ad_conv2d_f32(const float *x, const float *w, const float *bias, float *y,
                   uint32_t batch, uint32_t in_h, uint32_t in_w, uint32_t in_c,
                   uint32_t out_h, uint32_t out_w, uint32_t filters,
                   uint32_t k_h, uint32_t k_w, uint32_t stride_h, uint32_t stride_w,
                   uint32_t pad_top, uint32_t pad_left)
{
    for (uint32_t b = 0; b < batch; ++b)
        for (uint32_t oh = 0; oh < out_h; ++oh)
            for (uint32_t ow = 0; ow < out_w; ++ow)
                for (uint32_t f = 0; f < filters; ++f) {
                    float acc = bias ? bias[f] : 0.0f;
                    for (uint32_t kh = 0; kh < k_h; ++kh) {
                        /* Rows above the input wrap around to huge unsigned values, so one compare rejects both sides. */
                        uint32_t ih = oh * stride_h + kh - pad_top;
                        if (ih >= in_h) continue;
                        for (uint32_t kw = 0; kw < k_w; ++kw) {
                            uint32_t iw = ow * stride_w + kw - pad_left;
                            if (iw >= in_w) continue;
                            const float *xp = x + (((size_t)b * in_h + ih) * in_w + iw) * in_c;
                            const float *wp = w + (((size_t)f * k_h + kh) * k_w + kw) * in_c;
                            for (uint32_t c = 0; c < in_c; ++c) acc += xp[c] * wp[c];
                        }
                    }
                    y[(((size_t)b * out_h + oh) * out_w + ow) * filters + f] = acc;
                }
}

void ad_conv2d_backward_input_f32(const float *dy, const float *w, float *dx,
                                  uint32_t batch, uint32_t in_h, uint32_t in_w, uint32_t in_c,
                                  uint32_t out_h, uint32_t out_w, uint32_t filters,
                                  uint32_t k_h, uint32_t k_w, uint32_t stride_h, uint32_t stride_w,
                                  uint32_t pad_top, uint32_t pad_left)
{
    /* Gather form: each dx element is written once, from the output positions whose window covers it. */
    for (uint32_t b = 0; b < batch; ++b)
        for (uint32_t ih = 0; ih < in_h; ++ih)
            for (uint32_t iw = 0; iw < in_w; ++iw)
                for (uint32_t c = 0; c < in_c; ++c) {
                    float acc = 0.0f;
                    for (uint32_t kh = 0; kh < k_h; ++kh) {
                        if (ih + pad_top < kh) continue;
                        uint32_t th = ih + pad_top - kh;
                        if (th % stride_h != 0 || th / stride_h >= out_h) continue;
                        uint32_t oh = th / stride_h;
                        for (uint32_t kw = 0; kw < k_w; ++kw) {
                            if (iw + pad_left < kw) continue;
                            uint32_t tw = iw + pad_left - kw;
                            if (tw % stride_w != 0 || tw / stride_w >= out_w) continue;
                            uint32_t ow = tw / stride_w;
                            const float *dyp = dy + (((size_t)b * out_h + oh) * out_w + ow) * filters;
                            for (uint32_t f = 0; f < filters; ++f)
                                acc += dyp[f] * w[(((size_t)f * k_h + kh) * k_w + kw) * in_c + c];
                        }
                    }
                    dx[(((size_t)b * in_h + ih) * in_w + iw) * in_c + c] = acc;
                }
}

/* The output positions [*begin, *end) along one axis whose tap `tap` lands inside the input:
 * 0 <= o*stride + tap - pad < in. Empty when the kernel overhangs the input at that tap. */
static void ad_conv_tap_range(uint32_t in, uint32_t out, uint32_t stride, uint32_t pad, uint32_t tap,
                              uint32_t *begin, uint32_t *end)
{
    const int32_t last = (int32_t)in - 1 + (int32_t)pad - (int32_t)tap;  /* largest o*stride allowed */
    uint32_t first = tap >= pad ? 0u : (pad - tap + stride - 1u) / stride;
    uint32_t stop = last < 0 ? 0u : (uint32_t)last / stride + 1u;
    if (stop > out) stop = out;
    if (first > stop) first = stop;
    *begin = first;
    *end = stop;
}

float ad_conv2d_backward_weight_element_f32(const float *dy, const float *x,
                                            uint32_t batch, uint32_t in_h, uint32_t in_w, uint32_t in_c,
                                            uint32_t out_h, uint32_t out_w, uint32_t filters,
                                            uint32_t k_h, uint32_t k_w, uint32_t stride_h, uint32_t stride_w,
                                            uint32_t pad_top, uint32_t pad_left, uint32_t k)
{
    const uint32_t c = k % in_c;
    const uint32_t kw = (k / in_c) % k_w;
    const uint32_t kh = (k / in_c / k_w) % k_h;
    const uint32_t f = k / in_c / k_w / k_h;
    uint32_t oh0, oh1, ow0, ow1;
    /* The valid positions are found once, so the sum has no test per position. */
    ad_conv_tap_range(in_h, out_h, stride_h, pad_top, kh, &oh0, &oh1);
    ad_conv_tap_range(in_w, out_w, stride_w, pad_left, kw, &ow0, &ow1);
    float acc = 0.0f;
    for (uint32_t b = 0; b < batch; ++b)
        for (uint32_t oh = oh0; oh < oh1; ++oh) {
            const uint32_t ih = oh * stride_h + kh - pad_top;
            const float *dyp = dy + (((size_t)b * out_h + oh) * out_w + ow0) * filters + f;
            const float *xp = x + (((size_t)b * in_h + ih) * in_w + (ow0 * stride_w + kw - pad_left)) * in_c + c;
            for (uint32_t ow = ow0; ow < ow1; ++ow, dyp += filters, xp += (size_t)stride_w * in_c)
                acc = AD_FMA(*dyp, *xp, acc);
        }
    return acc;
}
