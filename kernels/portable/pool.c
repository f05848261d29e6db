/*
 * pool.c - portable 2-D max and average pooling (valid padding) and their backward kernels.
 * Layouts: x, dx [B,in_h,in_w,channels]; y, dy [B,out_h,out_w,channels] (NHWC).
 * Windows may overlap or leave gaps, so the backward kernels clear dx and then scatter-add.
 */
#include <string.h>

#include "autodiff_kernels.h"

/* Offset in x of the first maximum (row-major within the window) of one window of one channel. */
static size_t ad_pool_argmax(const float *x, uint32_t b, uint32_t oh, uint32_t ow, uint32_t c,
                             uint32_t in_h, uint32_t in_w, uint32_t channels,
                             uint32_t k_h, uint32_t k_w, uint32_t stride_h, uint32_t stride_w)
{
    size_t best = (((size_t)b * in_h + (size_t)oh * stride_h) * in_w + (size_t)ow * stride_w) * channels + c;
    for (uint32_t kh = 0; kh < k_h; ++kh)
        for (uint32_t kw = 0; kw < k_w; ++kw) {
            size_t i = (((size_t)b * in_h + (size_t)oh * stride_h + kh) * in_w + (size_t)ow * stride_w + kw) * channels + c;
            if (x[i] > x[best]) best = i;
        }
    return best;
}

void ad_maxpool2d_f32(const float *x, float *y,
                      uint32_t batch, uint32_t in_h, uint32_t in_w, uint32_t channels,
                      uint32_t out_h, uint32_t out_w, uint32_t k_h, uint32_t k_w,
                      uint32_t stride_h, uint32_t stride_w)
{
    for (uint32_t b = 0; b < batch; ++b)
        for (uint32_t oh = 0; oh < out_h; ++oh)
            for (uint32_t ow = 0; ow < out_w; ++ow)
                for (uint32_t c = 0; c < channels; ++c)
                    y[(((size_t)b * out_h + oh) * out_w + ow) * channels + c] =
                        x[ad_pool_argmax(x, b, oh, ow, c, in_h, in_w, channels, k_h, k_w, stride_h, stride_w)];
}

void ad_maxpool2d_backward_f32(const float *dy, const float *x, float *dx,
                               uint32_t batch, uint32_t in_h, uint32_t in_w, uint32_t channels,
                               uint32_t out_h, uint32_t out_w, uint32_t k_h, uint32_t k_w,
                               uint32_t stride_h, uint32_t stride_w)
{
    memset(dx, 0, (size_t)batch * in_h * in_w * channels * sizeof(float));
    for (uint32_t b = 0; b < batch; ++b)
        for (uint32_t oh = 0; oh < out_h; ++oh)
            for (uint32_t ow = 0; ow < out_w; ++ow)
                for (uint32_t c = 0; c < channels; ++c)
                    dx[ad_pool_argmax(x, b, oh, ow, c, in_h, in_w, channels, k_h, k_w, stride_h, stride_w)] +=
                        dy[(((size_t)b * out_h + oh) * out_w + ow) * channels + c];
}

void ad_avgpool2d_f32(const float *x, float *y,
                      uint32_t batch, uint32_t in_h, uint32_t in_w, uint32_t channels,
                      uint32_t out_h, uint32_t out_w, uint32_t k_h, uint32_t k_w,
                      uint32_t stride_h, uint32_t stride_w)
{
    float count = (float)(k_h * k_w);
    for (uint32_t b = 0; b < batch; ++b)
        for (uint32_t oh = 0; oh < out_h; ++oh)
            for (uint32_t ow = 0; ow < out_w; ++ow)
                for (uint32_t c = 0; c < channels; ++c) {
                    float acc = 0.0f;
                    for (uint32_t kh = 0; kh < k_h; ++kh)
                        for (uint32_t kw = 0; kw < k_w; ++kw)
                            acc += x[(((size_t)b * in_h + (size_t)oh * stride_h + kh) * in_w + (size_t)ow * stride_w + kw) * channels + c];
                    y[(((size_t)b * out_h + oh) * out_w + ow) * channels + c] = acc / count;
                }
}

void ad_avgpool2d_backward_f32(const float *dy, float *dx,
                               uint32_t batch, uint32_t in_h, uint32_t in_w, uint32_t channels,
                               uint32_t out_h, uint32_t out_w, uint32_t k_h, uint32_t k_w,
                               uint32_t stride_h, uint32_t stride_w)
{
    float count = (float)(k_h * k_w);
    memset(dx, 0, (size_t)batch * in_h * in_w * channels * sizeof(float));
    for (uint32_t b = 0; b < batch; ++b)
        for (uint32_t oh = 0; oh < out_h; ++oh)
            for (uint32_t ow = 0; ow < out_w; ++ow)
                for (uint32_t c = 0; c < channels; ++c) {
                    float share = dy[(((size_t)b * out_h + oh) * out_w + ow) * channels + c] / count;
                    for (uint32_t kh = 0; kh < k_h; ++kh)
                        for (uint32_t kw = 0; kw < k_w; ++kw)
                            dx[(((size_t)b * in_h + (size_t)oh * stride_h + kh) * in_w + (size_t)ow * stride_w + kw) * channels + c] += share;
                }
}
