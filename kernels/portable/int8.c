/* SPDX-License-Identifier: MIT */
/*
 * int8.c - portable frozen int8 layers: the plain C loops of internal/int8_common.h, which are
 * CMSIS-NN's integer arithmetic, so a model gives the same bytes with kernels/cmsis/int8.c.
 * Layouts: activations NHWC int8; conv weights OHWI, depthwise weights [k_h,k_w,out_c], linear
 * weights [units,in]. No kernel uses scratch memory (the engine plans 0 bytes for them and the
 * scratch argument is ignored), the heap or static state.
 */
#include "autodiff_kernels.h"

#include "internal/int8_common.h"

void ad_conv2d_s8(const ad_conv_s8_t *p, const int8_t *x, int8_t *y, void *scratch)
{
    (void)scratch;
    ad_s8_conv_loops(p, x, y, 0);
}

void ad_depthwise_conv2d_s8(const ad_conv_s8_t *p, const int8_t *x, int8_t *y, void *scratch)
{
    (void)scratch;
    ad_s8_conv_loops(p, x, y, 1);
}

void ad_linear_s8(const ad_linear_s8_t *p, const int8_t *x, int8_t *y, void *scratch)
{
    (void)scratch;
    ad_s8_linear_loops(p, x, y);
}

void ad_maxpool2d_s8(const ad_pool_s8_t *p, const int8_t *x, int8_t *y, void *scratch)
{
    (void)scratch;
    ad_s8_pool_loops(p, x, y, 0);
}

void ad_avgpool2d_s8(const ad_pool_s8_t *p, const int8_t *x, int8_t *y, void *scratch)
{
    (void)scratch;
    ad_s8_pool_loops(p, x, y, 1);
}

void ad_quantize_s8(const float *x, int8_t *y, uint32_t n, float inv_scale, int32_t zero_point)
{
    ad_s8_quantize_loop(x, y, n, inv_scale, zero_point);
}

void ad_dequantize_s8(const int8_t *x, float *y, uint32_t n, float scale, int32_t zero_point)
{
    ad_s8_dequantize_loop(x, y, n, scale, zero_point);
}

void ad_clamp_s8(const int8_t *x, int8_t *y, uint32_t n, int32_t lo, int32_t hi)
{
    ad_s8_clamp_loop(x, y, n, lo, hi);
}
