/* SPDX-License-Identifier: MIT */
/*
 * int8_common.h - the integer arithmetic of the int8 family and its plain C loops, which every
 * implementation shares: kernels/portable/int8.c runs the loops, kernels/cmsis/int8.c runs them
 * when CMSIS-NN cannot take a call (too little scratch, or an error status) and for the
 * element-wise kernels, and kernels/cmsis/test/test_int8.c holds CMSIS-NN to them bit for bit.
 *
 * The arithmetic is CMSIS-NN's default (arm_nn_requantize without CMSIS_NN_USE_SINGLE_ROUNDING,
 * and not the inline-assembly variant, which computes the same values): a doubling high multiply
 * that rounds halves up, then a rounding division by a power of two that rounds halves away
 * from zero. Helium's VQRDMULH and CMSIS-NN's vector fix-up-and-VRSHL compute the same numbers,
 * so the DSP, Helium and plain C paths of CMSIS-NN and these loops agree exactly; accumulation
 * order is free because the sums are exact int32 arithmetic.
 *
 * Everything here is static inline: the header is included by kernel files and tests alike, and
 * a file that uses only some of it must not warn about the rest.
 */
#ifndef AD_INTERNAL_INT8_COMMON_H
#define AD_INTERNAL_INT8_COMMON_H

#include <math.h>
#include <string.h>

#include "../autodiff_kernels.h"

/* round((a * b) / 2^31), halves rounded up (towards +inf), in 64 bits: CMSIS-NN's
 * arm_nn_doubling_high_mult_no_sat. The shift of a negative int64 is arithmetic on every
 * compiler this project uses (GCC documents it); with the multipliers of requantisation
 * (positive) the product never overflows. */
static inline int32_t ad_s8_doubling_high_mult(int32_t a, int32_t b)
{
    const int64_t product = (int64_t)a * (int64_t)b + ((int64_t)1 << 30);
    return (int32_t)(product >> 31);
}

/* x / 2^exponent rounded to nearest, halves away from zero, exponent in [0, 31]: CMSIS-NN's
 * arm_nn_divide_by_power_of_two (the remainder compared with half the divisor, one more for
 * negative results because the arithmetic shift rounded them down). */
static inline int32_t ad_s8_divide_by_power_of_two(int32_t x, int32_t exponent)
{
    const int32_t mask = (int32_t)(((uint32_t)1 << exponent) - 1u);
    const int32_t remainder = x & mask;
    int32_t result = x >> exponent;
    int32_t threshold = mask >> 1;
    if (result < 0) ++threshold;
    if (remainder > threshold) ++result;
    return result;
}

/* acc * multiplier * 2^shift / 2^31 with CMSIS-NN's two roundings: a left shift (shift > 0)
 * before the multiply, a rounding right shift (shift < 0) after it. The left shift wraps as
 * CMSIS-NN's does (its C multiplies, its Helium code shifts); done on uint32_t here so that the
 * wrap is defined C. */
static inline int32_t ad_s8_requantize(int32_t acc, int32_t multiplier, int32_t shift)
{
    const int32_t left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift;
    const int32_t shifted = (int32_t)((uint32_t)acc << left);
    return ad_s8_divide_by_power_of_two(ad_s8_doubling_high_mult(shifted, multiplier), right);
}

/* The int8 output of one accumulator of output channel o: requantised, offset, clamped. */
static inline int8_t ad_s8_output(int32_t acc, int32_t multiplier, int32_t shift, int32_t output_offset,
                                  int32_t act_min, int32_t act_max)
{
    int32_t v = ad_s8_requantize(acc, multiplier, shift) + output_offset;
    if (v < act_min) v = act_min;
    if (v > act_max) v = act_max;
    return (int8_t)v;
}

/* The mean of `count` taps summing to `sum`, rounded half away from zero as arm_avgpool_s8 does
 * (C's division truncates towards zero, so the half is added on the side of the sign). */
static inline int32_t ad_s8_average(int32_t sum, int32_t count)
{
    const int32_t half = count / 2;
    return (sum > 0 ? sum + half : sum - half) / count;
}

/* First and one-past-last kernel tap of an output position whose window starts at `start` (may
 * be negative) in an axis of `in` elements: the taps inside the input. */
static inline void ad_s8_window(int32_t start, int32_t k, int32_t in, int32_t *first, int32_t *end)
{
    *first = start < 0 ? -start : 0;
    *end = in - start < k ? in - start : k;
}

/* ad_conv2d_s8 (p->ch_mult ignored) and ad_depthwise_conv2d_s8 in plain C: one accumulator per
 * output, started from the bias, over the taps inside the input (padding taps hold the zero
 * point, whose term x + input_offset is 0). */
static inline void ad_s8_conv_loops(const ad_conv_s8_t *p, const int8_t *x, int8_t *y, int depthwise)
{
    const int32_t in_h = p->in_h, in_w = p->in_w, in_c = p->in_c, out_c = p->out_c;
    const int32_t mult = depthwise ? (p->ch_mult ? p->ch_mult : 1) : 1;
    for (uint32_t b = 0; b < p->batch; ++b) {
        const int8_t *xb = x + (size_t)b * in_h * in_w * in_c;
        for (int32_t oh = 0; oh < p->out_h; ++oh) {
            const int32_t row0 = oh * p->stride_h - p->pad_top;
            int32_t kh0, kh1;
            ad_s8_window(row0, p->k_h, in_h, &kh0, &kh1);
            for (int32_t ow = 0; ow < p->out_w; ++ow) {
                const int32_t col0 = ow * p->stride_w - p->pad_left;
                int32_t kw0, kw1;
                ad_s8_window(col0, p->k_w, in_w, &kw0, &kw1);
                int8_t *yo = y + (((size_t)b * p->out_h + oh) * p->out_w + ow) * out_c;
                for (int32_t o = 0; o < out_c; ++o) {
                    int32_t acc = p->bias ? p->bias[o] : 0;
                    for (int32_t kh = kh0; kh < kh1; ++kh)
                        for (int32_t kw = kw0; kw < kw1; ++kw) {
                            const int8_t *xt = xb + ((size_t)(row0 + kh) * in_w + (col0 + kw)) * in_c;
                            if (depthwise) {
                                acc += ((int32_t)xt[o / mult] + p->input_offset) *
                                       p->weight[((size_t)kh * p->k_w + kw) * out_c + o];
                            } else {
                                const int8_t *wt = p->weight + (((size_t)o * p->k_h + kh) * p->k_w + kw) * in_c;
                                for (int32_t c = 0; c < in_c; ++c) acc += ((int32_t)xt[c] + p->input_offset) * wt[c];
                            }
                        }
                    yo[o] = ad_s8_output(acc, p->multiplier[o], p->shift[o], p->output_offset, p->act_min, p->act_max);
                }
            }
        }
    }
}

/* ad_linear_s8 in plain C. */
static inline void ad_s8_linear_loops(const ad_linear_s8_t *p, const int8_t *x, int8_t *y)
{
    for (uint32_t b = 0; b < p->batch; ++b) {
        const int8_t *xb = x + (size_t)b * p->in;
        for (uint32_t u = 0; u < p->units; ++u) {
            const int8_t *w = p->weight + (size_t)u * p->in;
            int32_t acc = p->bias ? p->bias[u] : 0;
            for (uint32_t i = 0; i < p->in; ++i) acc += ((int32_t)xb[i] + p->input_offset) * w[i];
            y[(size_t)b * p->units + u] = ad_s8_output(acc, p->multiplier[u], p->shift[u], p->output_offset, p->act_min, p->act_max);
        }
    }
}

/* ad_maxpool2d_s8 (average = 0) and ad_avgpool2d_s8 (average = 1) in plain C. */
static inline void ad_s8_pool_loops(const ad_pool_s8_t *p, const int8_t *x, int8_t *y, int average)
{
    const int32_t in_h = p->in_h, in_w = p->in_w, ch = p->channels;
    for (uint32_t b = 0; b < p->batch; ++b) {
        const int8_t *xb = x + (size_t)b * in_h * in_w * ch;
        for (int32_t oh = 0; oh < p->out_h; ++oh) {
            const int32_t row0 = oh * p->stride_h - p->pad_top;
            int32_t kh0, kh1;
            ad_s8_window(row0, p->k_h, in_h, &kh0, &kh1);
            for (int32_t ow = 0; ow < p->out_w; ++ow) {
                const int32_t col0 = ow * p->stride_w - p->pad_left;
                int32_t kw0, kw1;
                ad_s8_window(col0, p->k_w, in_w, &kw0, &kw1);
                int8_t *yo = y + (((size_t)b * p->out_h + oh) * p->out_w + ow) * ch;
                for (int32_t c = 0; c < ch; ++c) {
                    int32_t sum = 0, best = -128, count = 0;
                    for (int32_t kh = kh0; kh < kh1; ++kh)
                        for (int32_t kw = kw0; kw < kw1; ++kw) {
                            const int32_t v = xb[((size_t)(row0 + kh) * in_w + (col0 + kw)) * ch + c];
                            sum += v;
                            if (v > best) best = v;
                            ++count;
                        }
                    int32_t v = average ? (count ? ad_s8_average(sum, count) : 0) : best;
                    if (v < p->act_min) v = p->act_min;
                    if (v > p->act_max) v = p->act_max;
                    yo[c] = (int8_t)v;
                }
            }
        }
    }
}

/* ad_quantize_s8: v = x * inv_scale limited to [-512, 512] by comparisons (NaN fails the first
 * and becomes -512), then roundf (halves away from zero), plus the zero point, clamped to int8. */
static inline void ad_s8_quantize_loop(const float *x, int8_t *y, uint32_t n, float inv_scale, int32_t zero_point)
{
    for (uint32_t i = 0; i < n; ++i) {
        float v = x[i] * inv_scale;
        if (!(v > -512.0f)) v = -512.0f;
        if (v > 512.0f) v = 512.0f;
        int32_t q = (int32_t)roundf(v) + zero_point;
        if (q < -128) q = -128;
        if (q > 127) q = 127;
        y[i] = (int8_t)q;
    }
}

/* ad_dequantize_s8. */
static inline void ad_s8_dequantize_loop(const int8_t *x, float *y, uint32_t n, float scale, int32_t zero_point)
{
    for (uint32_t i = 0; i < n; ++i) y[i] = (float)((int32_t)x[i] - zero_point) * scale;
}

/* ad_clamp_s8; each element is read before it is written, so in place is fine. */
static inline void ad_s8_clamp_loop(const int8_t *x, int8_t *y, uint32_t n, int32_t lo, int32_t hi)
{
    for (uint32_t i = 0; i < n; ++i) {
        int32_t v = x[i];
        if (v < lo) v = lo;
        if (v > hi) v = hi;
        y[i] = (int8_t)v;
    }
}

#endif
