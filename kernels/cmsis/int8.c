/* SPDX-License-Identifier: MIT */
/*
 * int8.c - frozen int8 layers on CMSIS-NN's s8 kernels. Same functions and results (bit for bit)
 * as kernels/portable/int8.c, whose C (../portable/internal/int8_common.h) is CMSIS-NN's integer
 * arithmetic. Layouts: activations NHWC int8; conv weights OHWI ([out_c,k_h,k_w,in_c], CMSIS-NN's
 * filter layout), depthwise weights [k_h,k_w,out_c] (CMSIS-NN's [1,H,W,C_OUT]), linear weights
 * [units,in] (CMSIS-NN's transposed matrix rows).
 *
 *   ad_conv2d_s8            arm_convolve_wrapper_s8 (per-channel quantisation; it picks the 1x1,
 *                           1xN or im2col kernel), arm_convolve_s8 directly for the 1xN
 *                           geometries CMSIS-NN's Helium 1xN kernel gets wrong (see below)
 *   ad_depthwise_conv2d_s8  arm_depthwise_conv_wrapper_s8 (3x3, "opt" or generic kernel; on
 *                           Helium a depthwise conv of one input channel becomes a conv)
 *   ad_linear_s8            arm_fully_connected_per_channel_s8; on Helium its kernel sums
 *                           (bias + input_offset * row sum of the weights) come first, per call,
 *                           from arm_vector_sum_s8 into the scratch buffer: the weights are
 *                           constants but the ABI has no place for precomputed sums
 *   ad_maxpool2d_s8         arm_max_pool_s8
 *   ad_avgpool2d_s8         arm_avgpool_s8
 *   quantize, dequantize, clamp: the shared C (CMSIS-NN has no float <-> int8 conversion that
 *                           rounds as the ABI does, and a clamp is one compare per byte)
 *
 * Scratch: each layer asks CMSIS-NN's get_buffer_size for this exact call and runs CMSIS-NN only
 * when p->scratch_bytes (and a non-NULL scratch) covers it, handing CMSIS-NN NULL when it needs
 * nothing; otherwise, and when CMSIS-NN returns an error status, it runs the shared C, which
 * uses no scratch. So a scratch size planned too small costs speed, never memory; the engine
 * plans exactly these numbers (CmsisNnScratch), and test/test_int8.c checks that CMSIS-NN then
 * always runs (ad_int8_fallbacks stays 0), stays inside that size and matches the shared C.
 */
#include "autodiff_kernels.h"

#include "arm_nnfunctions.h"

#include "../portable/internal/int8_common.h"

/* Calls that ran the shared C instead of CMSIS-NN (scratch planned short, or an error status).
 * Zero in a correctly planned firmware: test/test_int8.c reads it, and so can a debugger. */
uint32_t ad_int8_fallbacks;

/* The CMSIS-NN context for a call needing `needed` bytes, or 0 when the plan gave too few. */
static int ad_cmsis_context(void *scratch, uint32_t scratch_bytes, int32_t needed, cmsis_nn_context *ctx)
{
    if (needed < 0 || (needed > 0 && (scratch == NULL || scratch_bytes < (uint32_t)needed))) return 0;
    ctx->buf = needed > 0 ? scratch : NULL;
    ctx->size = needed;
    return 1;
}

/* The CMSIS-NN view of a conv's requantisation; CMSIS-NN reads through non-const pointers but
 * never writes. */
static cmsis_nn_per_channel_quant_params ad_cmsis_quant(const int32_t *multiplier, const int32_t *shift)
{
    cmsis_nn_per_channel_quant_params q;
    q.multiplier = (int32_t *)multiplier;
    q.shift = (int32_t *)shift;
    return q;
}

/* Whether arm_convolve_wrapper_s8 would run CMSIS-NN's Helium 1xN kernel (arm_convolve_1_x_n_s8:
 * one input row, a one-row kernel, whole words per stride step, not the 1x1 case) on a geometry
 * it gets wrong. That kernel builds the im2col rows of the edges for TF "same" padding of at most
 * one column per side: with more total padding than 2, a left pad other than total/2, or a last
 * window that stops short of the input's end (valid padding with columns left over, total < 0),
 * it pads real columns or reads past the input (found by test/test_int8.c; CMSIS-NN of
 * November 2024). Such convolutions run arm_convolve_s8, the kernel the wrapper picks for every
 * other geometry, with its own buffer size (what CmsisNnScratch plans for them). On DSP cores the
 * 1xN kernel is arm_convolve_s8 already. */
static int ad_cmsis_1xn_wrong(int32_t in_h, int32_t in_w, int32_t in_c, int32_t out_w, int32_t k_h, int32_t k_w,
                              int32_t stride_w, int32_t pad_top, int32_t pad_left)
{
#if defined(ARM_MATH_MVEI)
    const int32_t total = (out_w - 1) * stride_w + k_w - in_w;
    const int one_by_one = pad_top == 0 && pad_left == 0 && k_h == 1 && k_w == 1;
    const int one_by_n = in_h == 1 && k_h == 1 && (stride_w * in_c) % 4 == 0;
    return !one_by_one && one_by_n && !(total >= 0 && total <= 2 && pad_left == total / 2);
#else
    (void)in_h; (void)in_w; (void)in_c; (void)out_w; (void)k_h; (void)k_w; (void)stride_w; (void)pad_top; (void)pad_left;
    return 0;
#endif
}

void ad_conv2d_s8(const ad_conv_s8_t *p, const int8_t *x, int8_t *y, void *scratch)
{
    const cmsis_nn_conv_params conv = { p->input_offset, p->output_offset, { p->stride_w, p->stride_h },
                                        { p->pad_left, p->pad_top }, { 1, 1 }, { p->act_min, p->act_max } };
    const cmsis_nn_per_channel_quant_params quant = ad_cmsis_quant(p->multiplier, p->shift);
    const cmsis_nn_dims input = { p->batch, p->in_h, p->in_w, p->in_c };
    const cmsis_nn_dims filter = { p->out_c, p->k_h, p->k_w, p->in_c };
    const cmsis_nn_dims bias = { 1, 1, 1, p->out_c };
    const cmsis_nn_dims output = { p->batch, p->out_h, p->out_w, p->out_c };
    cmsis_nn_context ctx;
    if (ad_cmsis_1xn_wrong(p->in_h, p->in_w, p->in_c, p->out_w, p->k_h, p->k_w, p->stride_w, p->pad_top, p->pad_left)) {
        if (ad_cmsis_context(scratch, p->scratch_bytes, arm_convolve_s8_get_buffer_size(&input, &filter), &ctx) &&
            arm_convolve_s8(&ctx, &conv, &quant, &input, x, &filter, p->weight, &bias, p->bias, NULL, &output, y) == ARM_CMSIS_NN_SUCCESS)
            return;
    } else if (ad_cmsis_context(scratch, p->scratch_bytes, arm_convolve_wrapper_s8_get_buffer_size(&conv, &input, &filter, &output), &ctx) &&
               arm_convolve_wrapper_s8(&ctx, &conv, &quant, &input, x, &filter, p->weight, &bias, p->bias, &output, y) == ARM_CMSIS_NN_SUCCESS) {
        return;
    }
    ++ad_int8_fallbacks;
    ad_s8_conv_loops(p, x, y, 0);
}

void ad_depthwise_conv2d_s8(const ad_conv_s8_t *p, const int8_t *x, int8_t *y, void *scratch)
{
    const cmsis_nn_dw_conv_params conv = { p->input_offset, p->output_offset, p->ch_mult, { p->stride_w, p->stride_h },
                                           { p->pad_left, p->pad_top }, { 1, 1 }, { p->act_min, p->act_max } };
    const cmsis_nn_per_channel_quant_params quant = ad_cmsis_quant(p->multiplier, p->shift);
    const cmsis_nn_dims input = { p->batch, p->in_h, p->in_w, p->in_c };
    const cmsis_nn_dims filter = { 1, p->k_h, p->k_w, p->out_c };
    const cmsis_nn_dims bias = { 1, 1, 1, p->out_c };
    const cmsis_nn_dims output = { p->batch, p->out_h, p->out_w, p->out_c };
    cmsis_nn_context ctx;
    /* On Helium the wrapper runs a depthwise conv of one input channel as a conv, which may be a
     * 1xN one it gets wrong (see above); the generic depthwise kernel needs no buffer. */
    if (p->in_c == 1 && p->out_c > 1 &&
        ad_cmsis_1xn_wrong(p->in_h, p->in_w, 1, p->out_w, p->k_h, p->k_w, p->stride_w, p->pad_top, p->pad_left)) {
        if (ad_cmsis_context(scratch, p->scratch_bytes, 0, &ctx) &&
            arm_depthwise_conv_s8(&ctx, &conv, &quant, &input, x, &filter, p->weight, &bias, p->bias, &output, y) == ARM_CMSIS_NN_SUCCESS)
            return;
    } else if (ad_cmsis_context(scratch, p->scratch_bytes, arm_depthwise_conv_wrapper_s8_get_buffer_size(&conv, &input, &filter, &output), &ctx) &&
               arm_depthwise_conv_wrapper_s8(&ctx, &conv, &quant, &input, x, &filter, p->weight, &bias, p->bias, &output, y) == ARM_CMSIS_NN_SUCCESS) {
        return;
    }
    ++ad_int8_fallbacks;
    ad_s8_conv_loops(p, x, y, 1);
}

void ad_linear_s8(const ad_linear_s8_t *p, const int8_t *x, int8_t *y, void *scratch)
{
    const cmsis_nn_fc_params fc = { p->input_offset, 0, p->output_offset, { p->act_min, p->act_max } };
    const cmsis_nn_per_channel_quant_params quant = ad_cmsis_quant(p->multiplier, p->shift);
    const cmsis_nn_dims input = { (int32_t)p->batch, 1, 1, (int32_t)p->in };
    const cmsis_nn_dims filter = { (int32_t)p->in, 1, 1, (int32_t)p->units };
    const cmsis_nn_dims bias = { 1, 1, 1, (int32_t)p->units };
    const cmsis_nn_dims output = { (int32_t)p->batch, 1, 1, (int32_t)p->units };
    cmsis_nn_context ctx;
    if (ad_cmsis_context(scratch, p->scratch_bytes, arm_fully_connected_s8_get_buffer_size(&filter), &ctx)) {
        /* A buffer means the Helium kernel, which starts each row from these sums (the DSP and C
         * kernels add bias and offsets themselves and want none). */
        if (ctx.buf != NULL)
            (void)arm_vector_sum_s8((int32_t *)ctx.buf, (int32_t)p->in, (int32_t)p->units, p->weight, p->input_offset, 0, p->bias);
        if (arm_fully_connected_per_channel_s8(&ctx, &fc, &quant, &input, x, &filter, p->weight, &bias, p->bias, &output, y) == ARM_CMSIS_NN_SUCCESS)
            return;
    }
    ++ad_int8_fallbacks;
    ad_s8_linear_loops(p, x, y);
}

/* One CMSIS-NN s8 pooling call over the whole batch. */
typedef arm_cmsis_nn_status (*ad_cmsis_pool_s8)(const cmsis_nn_context *, const cmsis_nn_pool_params *, const cmsis_nn_dims *,
                                                const int8_t *, const cmsis_nn_dims *, const cmsis_nn_dims *, int8_t *);

static int ad_cmsis_pool(ad_cmsis_pool_s8 pool, int32_t needed, const ad_pool_s8_t *p, const int8_t *x, int8_t *y, void *scratch)
{
    const cmsis_nn_pool_params params = { { p->stride_w, p->stride_h }, { p->pad_left, p->pad_top }, { p->act_min, p->act_max } };
    const cmsis_nn_dims input = { p->batch, p->in_h, p->in_w, p->channels };
    const cmsis_nn_dims filter = { 1, p->k_h, p->k_w, 1 };
    const cmsis_nn_dims output = { p->batch, p->out_h, p->out_w, p->channels };
    cmsis_nn_context ctx;
    return ad_cmsis_context(scratch, p->scratch_bytes, needed, &ctx) &&
           pool(&ctx, &params, &input, x, &filter, &output, y) == ARM_CMSIS_NN_SUCCESS;
}

void ad_maxpool2d_s8(const ad_pool_s8_t *p, const int8_t *x, int8_t *y, void *scratch)
{
    /* arm_max_pool_s8 takes no scratch (CMSIS-NN has no get_buffer_size for it). */
    if (ad_cmsis_pool(arm_max_pool_s8, 0, p, x, y, scratch)) return;
    ++ad_int8_fallbacks;
    ad_s8_pool_loops(p, x, y, 0);
}

void ad_avgpool2d_s8(const ad_pool_s8_t *p, const int8_t *x, int8_t *y, void *scratch)
{
    if (ad_cmsis_pool(arm_avgpool_s8, arm_avgpool_s8_get_buffer_size(p->out_w, p->channels), p, x, y, scratch)) return;
    ++ad_int8_fallbacks;
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
