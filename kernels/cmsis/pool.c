/* SPDX-License-Identifier: MIT */
/*
 * pool.c - 2-D max and average pooling (valid padding) on CMSIS-NN's float32 API, with Helium
 * (MVE) backward kernels of our own. Same functions and semantics as kernels/portable/pool.c.
 * Layouts: x, dx [B,in_h,in_w,channels]; y, dy [B,out_h,out_w,channels] (NHWC).
 *
 *   forward    arm_max_pool_f32, arm_avg_pool_f32 (no padding, no clamp), on every core
 *   backward   CMSIS-NN has no pooling gradient. On a Helium core: four channels per vector; max
 *              pooling finds each lane's first maximum with a strict compare (the portable order,
 *              so the same position) and adds dy there through a gather and a scatter; average
 *              pooling adds the window's share to each tap. Elsewhere the portable C of
 *              ../portable/internal/pool_common.h.
 * CMSIS-NN's max starts from -FLT_MAX and ignores NaN where the portable kernel keeps the first
 * tap's value, which differs only for windows of -inf or NaN; its average multiplies the sum by
 * the reciprocal of the window size, within rounding of the portable division. Backward results
 * are those of the portable kernels: the same additions in the same order.
 * No kernel uses scratch memory: CMSIS-NN's float pooling takes none.
 */
#include <float.h>
#include <string.h>

#include "autodiff_kernels.h"

#include "arm_nnfunctions.h"

typedef arm_cmsis_nn_status (*ad_cmsis_pool)(const cmsis_nn_context *, const cmsis_nn_pool_params_f32 *,
                                             const cmsis_nn_dims *, const float32_t *, const cmsis_nn_dims *,
                                             const cmsis_nn_dims *, float32_t *);

/* One CMSIS-NN pooling call over the whole batch: valid padding, no activation clamp. */
static void ad_cmsis_pool_forward(ad_cmsis_pool pool, const float *x, float *y,
                                  uint32_t batch, uint32_t in_h, uint32_t in_w, uint32_t channels,
                                  uint32_t out_h, uint32_t out_w, uint32_t k_h, uint32_t k_w,
                                  uint32_t stride_h, uint32_t stride_w)
{
    const cmsis_nn_context no_scratch = { NULL, 0 };
    const cmsis_nn_pool_params_f32 params = { { (int32_t)stride_w, (int32_t)stride_h }, { 0, 0 }, { -FLT_MAX, FLT_MAX } };
    const cmsis_nn_dims input_dims = { (int32_t)batch, (int32_t)in_h, (int32_t)in_w, (int32_t)channels };
    const cmsis_nn_dims filter_dims = { 1, (int32_t)k_h, (int32_t)k_w, 1 };
    const cmsis_nn_dims output_dims = { (int32_t)batch, (int32_t)out_h, (int32_t)out_w, (int32_t)channels };
    (void)pool(&no_scratch, &params, &input_dims, x, &filter_dims, &output_dims, y);
}

/* y = max of each window.  x [B,in_h,in_w,channels], y [B,out_h,out_w,channels]. No scratch. */
void ad_maxpool2d_f32(const float *x, float *y,
                      uint32_t batch, uint32_t in_h, uint32_t in_w, uint32_t channels,
                      uint32_t out_h, uint32_t out_w, uint32_t k_h, uint32_t k_w,
                      uint32_t stride_h, uint32_t stride_w)
{
    ad_cmsis_pool_forward(arm_max_pool_f32, x, y, batch, in_h, in_w, channels, out_h, out_w, k_h, k_w, stride_h, stride_w);
}

/* y = sum of each window / (k_h*k_w).  x [B,in_h,in_w,channels], y [B,out_h,out_w,channels].
 * No scratch. */
void ad_avgpool2d_f32(const float *x, float *y,
                      uint32_t batch, uint32_t in_h, uint32_t in_w, uint32_t channels,
                      uint32_t out_h, uint32_t out_w, uint32_t k_h, uint32_t k_w,
                      uint32_t stride_h, uint32_t stride_w)
{
    ad_cmsis_pool_forward(arm_avg_pool_f32, x, y, batch, in_h, in_w, channels, out_h, out_w, k_h, k_w, stride_h, stride_w);
}

#if defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 2)

#include <arm_mve.h>

/* dx = 0, then dx[first max of each window (row-major)] += dy of that window.
 * dy [B,out_h,out_w,channels], x, dx [B,in_h,in_w,channels]. No scratch.
 * Per window and four channels: the running maximum and its offset (in floats from x) live in
 * two vectors; a tap replaces them in the lanes where it is strictly greater, so each lane keeps
 * its first maximum. dx is then read at those offsets (gather), dy added, and written back
 * (scatter); the four lanes are four channels, so their offsets never collide. */
void ad_maxpool2d_backward_f32(const float *dy, const float *x, float *dx,
                               uint32_t batch, uint32_t in_h, uint32_t in_w, uint32_t channels,
                               uint32_t out_h, uint32_t out_w, uint32_t k_h, uint32_t k_w,
                               uint32_t stride_h, uint32_t stride_w)
{
    const uint32_t row = in_w * channels;
    memset(dx, 0, (size_t)batch * in_h * row * sizeof(float));
    const uint32x4_t lanes = vidupq_n_u32(0u, 1);
    for (uint32_t b = 0; b < batch; ++b)
        for (uint32_t oh = 0; oh < out_h; ++oh) {
            const uint32_t row0 = (b * in_h + oh * stride_h) * row;
            const float *dyr = dy + ((size_t)b * out_h + oh) * out_w * channels;
            for (uint32_t ow = 0; ow < out_w; ++ow) {
                const uint32_t window = row0 + ow * stride_w * channels; /* offset of tap (0,0), channel 0 */
                const float *dyp = dyr + (size_t)ow * channels;
                for (uint32_t c = 0; c < channels; c += 4u) {
                    const mve_pred16_t p = vctp32q(channels - c);
                    float32x4_t best = vld1q_z_f32(x + window + c, p);
                    uint32x4_t at = vaddq_n_u32(lanes, window + c);
                    for (uint32_t kh = 0; kh < k_h; ++kh)
                        for (uint32_t kw = (kh == 0u ? 1u : 0u); kw < k_w; ++kw) {
                            const uint32_t tap = window + kh * row + kw * channels + c;
                            const float32x4_t v = vld1q_z_f32(x + tap, p);
                            const mve_pred16_t greater = vcmpgtq_f32(v, best);
                            best = vpselq_f32(v, best, greater);
                            at = vpselq_u32(vaddq_n_u32(lanes, tap), at, greater);
                        }
                    const float32x4_t sum = vaddq_f32(vldrwq_gather_shifted_offset_z_f32(dx, at, p), vld1q_z_f32(dyp + c, p));
                    vstrwq_scatter_shifted_offset_p_f32(dx, at, sum, p);
                }
            }
        }
}

/* dx = 0, then every element of each window += dy of that window / (k_h*k_w).
 * dy [B,out_h,out_w,channels], dx [B,in_h,in_w,channels]. No scratch.
 * The share of four channels is formed once per window (multiplication by the exact reciprocal
 * when k_h*k_w is a power of two, else a division per lane, as the portable kernel) and added
 * to each tap a vector at a time. */
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
                for (uint32_t c = 0; c < channels; c += 4u) {
                    const mve_pred16_t p = vctp32q(channels - c);
                    float32x4_t share;
                    if (pow2) {
                        share = vmulq_n_f32(vld1q_z_f32(dyp + c, p), inv);
                    } else {
                        float lanes[4] = { 0.0f, 0.0f, 0.0f, 0.0f };
                        for (uint32_t l = 0; l < 4u && c + l < channels; ++l) lanes[l] = dyp[c + l] / count;
                        share = vld1q_f32(lanes);
                    }
                    for (uint32_t kh = 0; kh < k_h; ++kh) {
                        float *t = dxw + c + kh * row;
                        for (uint32_t kw = 0; kw < k_w; ++kw, t += channels)
                            vst1q_p_f32(t, vaddq_f32(vld1q_z_f32(t, p), share), p);
                    }
                }
            }
        }
}

#else

#include "../portable/internal/pool_common.h"

#endif
