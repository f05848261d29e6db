/*
 * conv.c - portable 2-D convolution kernels: forward, input gradient, and the weight gradient one
 * element at a time. The C lives in internal/conv_common.h (shared with kernels/cmsis/conv.c,
 * which falls back to it on cores without MVE); its header comment describes the loops and their
 * measurements. Layouts: x [B,in_h,in_w,in_c] (NHWC), w [filters,k_h,k_w,in_c] (OHWI),
 * y [B,out_h,out_w,filters]; scratch: none.
 */
#include "autodiff_kernels.h"

#include "internal/conv_common.h"

/* y[b,oh,ow,f] = bias[f] + sum_{kh,kw,c} x[b,ih,iw,c] * w[f,kh,kw,c]; see ad_conv2d_forward_c. */
void ad_conv2d_f32(const float *x, const float *w, const float *bias, float *y,
                   uint32_t batch, uint32_t in_h, uint32_t in_w, uint32_t in_c,
                   uint32_t out_h, uint32_t out_w, uint32_t filters,
                   uint32_t k_h, uint32_t k_w, uint32_t stride_h, uint32_t stride_w,
                   uint32_t pad_top, uint32_t pad_left)
{
    ad_conv2d_forward_c(x, w, bias, y, batch, in_h, in_w, in_c, out_h, out_w, filters,
                        k_h, k_w, stride_h, stride_w, pad_top, pad_left);
}

/* dx = the input gradient of ad_conv2d_f32; see ad_conv2d_backward_input_c. */
void ad_conv2d_backward_input_f32(const float *dy, const float *w, float *dx,
                                  uint32_t batch, uint32_t in_h, uint32_t in_w, uint32_t in_c,
                                  uint32_t out_h, uint32_t out_w, uint32_t filters,
                                  uint32_t k_h, uint32_t k_w, uint32_t stride_h, uint32_t stride_w,
                                  uint32_t pad_top, uint32_t pad_left)
{
    ad_conv2d_backward_input_c(dy, w, dx, batch, in_h, in_w, in_c, out_h, out_w, filters,
                               k_h, k_w, stride_h, stride_w, pad_top, pad_left);
}

/* Weight-gradient element k (OHWI), summed in increasing (b, oh, ow); see ad_conv2d_weight_element_c. */
float ad_conv2d_backward_weight_element_f32(const float *dy, const float *x,
                                            uint32_t batch, uint32_t in_h, uint32_t in_w, uint32_t in_c,
                                            uint32_t out_h, uint32_t out_w, uint32_t filters,
                                            uint32_t k_h, uint32_t k_w, uint32_t stride_h, uint32_t stride_w,
                                            uint32_t pad_top, uint32_t pad_left, uint32_t k)
{
    return ad_conv2d_weight_element_c(dy, x, batch, in_h, in_w, in_c, out_h, out_w, filters,
                                      k_h, k_w, stride_h, stride_w, pad_top, pad_left, k);
}
