/* SPDX-License-Identifier: MIT */
/*
 * conv.c - portable 2-D convolution kernels: forward, input gradient, and the weight gradient one
 * element at a time. The kernels (ad_conv2d_f32, ad_conv2d_backward_input_f32,
 * ad_conv2d_backward_weight_element_f32) are defined in internal/conv_common.h, shared with
 * kernels/cmsis/conv.c, which falls back to them on cores without MVE; its header comment
 * describes the loops and their measurements. Layouts: x [B,in_h,in_w,in_c] (NHWC),
 * w [filters,k_h,k_w,in_c] (OHWI), y [B,out_h,out_w,filters]; scratch: none.
 */
#include "autodiff_kernels.h"

#include "internal/conv_common.h"
