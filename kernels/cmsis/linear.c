/* SPDX-License-Identifier: MIT */
/*
 * linear.c - fully connected kernels on CMSIS-NN's float32 API, with Helium (MVE) code of our own
 * for what CMSIS-NN has no primitive for. Same functions and semantics as
 * kernels/portable/linear.c. Layouts: x [B,in], w [out,in], dy [B,out], all row-major float32.
 *
 * On a core with MVE and its float extension (Cortex-M55, M85):
 *   forward          arm_fully_connected_f32 (weights [out,in] are CMSIS-NN's default format)
 *   input gradient   rows of w scaled and summed into dx, four inputs per instruction (CMSIS-NN's
 *                    arm_batch_matmul_f32 does dy * w by gathers and measured slower, below)
 *   weight update    (plain SGD, the gradient never stored) and the stored weight gradient:
 *                    rank-B updates of whole rows of w, four weights per instruction
 *   bias gradient    column sums, four channels per instruction
 * CMSIS-NN has no call for a rank-B update or column sums; ours run the same fused multiply-adds
 * in the same order per element as the portable kernels, so every gradient and the update are
 * the portable results (denormals aside, see autodiff_kernels.h); the forward pass sums in four
 * lanes and agrees to float rounding.
 *
 * On other cores (AutodiffKernels=cmsis on a Cortex-M4F) the forward pass is still
 * arm_fully_connected_f32, whose scalar path CMSIS-NN compiles there, and the rest is the
 * portable C of internal/linear_common.h.
 *
 * No kernel uses scratch memory: CMSIS-NN's float fully connected layer takes none (its
 * *_get_buffer_size returns 0), so the context passed holds no buffer.
 */
#include <float.h>

#include "autodiff_kernels.h"

#include "arm_nnfunctions.h"

static const cmsis_nn_context ad_no_scratch = { NULL, 0 };

/* y[b,o] = sum_i x[b,i] * w[o,i] + bias[o].  x [B,in], w [out,in], bias [out] or NULL,
 * y [B,out]. No scratch. */
void ad_linear_f32(const float *x, const float *w, const float *bias, float *y,
                   uint32_t batch, uint32_t in, uint32_t out)
{
    const cmsis_nn_fc_params_f32 params = { { -FLT_MAX, FLT_MAX }, ARM_NN_WEIGHT_FORMAT_STANDARD };
    const cmsis_nn_dims input_dims = { (int32_t)batch, 1, 1, (int32_t)in };
    const cmsis_nn_dims filter_dims = { (int32_t)in, 1, 1, (int32_t)out };
    const cmsis_nn_dims bias_dims = { 1, 1, 1, (int32_t)out };
    const cmsis_nn_dims output_dims = { (int32_t)batch, 1, 1, (int32_t)out };
    (void)arm_fully_connected_f32(&ad_no_scratch, &params, &input_dims, x, &filter_dims, w, &bias_dims, bias,
                                  &output_dims, y, ARM_NN_LAYOUT_NHWC);
}

#if defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 2)

#include <arm_mve.h>

/* row[i] = row[i] + c * x[i] for i < n, one fused multiply-add per element (the portable
 * AD_FMA(c, x, row)). Eight elements per pass, the tail under a lane predicate. */
static void ad_mve_axpy(float *row, const float *x, uint32_t n, float c)
{
    uint32_t i = 0;
    for (; i + 8u <= n; i += 8u) {
        const float32x4_t w0 = vld1q_f32(row + i), w1 = vld1q_f32(row + i + 4u);
        const float32x4_t x0 = vld1q_f32(x + i), x1 = vld1q_f32(x + i + 4u);
        vst1q_f32(row + i, vfmaq_n_f32(w0, x0, c));
        vst1q_f32(row + i + 4u, vfmaq_n_f32(w1, x1, c));
    }
    for (; i < n; i += 4u) {
        const mve_pred16_t p = vctp32q(n - i);
        const float32x4_t wv = vld1q_z_f32(row + i, p), xv = vld1q_z_f32(x + i, p);
        vst1q_p_f32(row + i, vfmaq_n_f32(wv, xv, c), p);
    }
}

/* dx[b,i] = sum_o dy[b,o] * w[o,i].  dy [B,out], w [out,in], dx [B,in]. No scratch.
 * Rows of w scaled and added to dx, four inputs per instruction, in increasing o: the portable
 * kernel's operations in its order, so the same results. (CMSIS-NN's arm_batch_matmul_f32 with
 * w as its transposed right-hand side gathers w four columns at a time; measured on the
 * cortex-m55 board it took more instructions than even the portable kernel, e.g. the backward
 * phase of adam_mlp 17,775 against 13,114.) */
void ad_linear_backward_input_f32(const float *dy, const float *w, float *dx,
                                  uint32_t batch, uint32_t in, uint32_t out)
{
    for (uint32_t b = 0; b < batch; ++b) {
        const float *dyb = dy + (size_t)b * out;
        float *dxb = dx + (size_t)b * in;
        const float d0 = out > 0u ? dyb[0] : 0.0f;
        for (uint32_t i = 0; i < in; i += 4u) {
            const mve_pred16_t p = vctp32q(in - i);
            const float32x4_t wv = out > 0u ? vld1q_z_f32(w + i, p) : vdupq_n_f32(0.0f);
            vst1q_p_f32(dxb + i, vmulq_n_f32(wv, d0), p);
        }
        for (uint32_t o = 1; o < out; ++o) ad_mve_axpy(dxb, w + (size_t)o * in, in, dyb[o]);
    }
}

/* w[o,i] -= lr * sum_b dy[b,o] * x[b,i]: for b in increasing order w[o,i] = w[o,i] +
 * (-(lr * dy[b,o])) * x[b,i], one fused multiply-add each, as the portable kernel.
 * w [out,in], dy [B,out], x [B,in]. No scratch. */
void ad_linear_sgd_f32(float *w, const float *dy, const float *x,
                       uint32_t batch, uint32_t in, uint32_t out, float lr)
{
    for (uint32_t o = 0; o < out; ++o) {
        float *row = w + (size_t)o * in;
        for (uint32_t b = 0; b < batch; ++b)
            ad_mve_axpy(row, x + (size_t)b * in, in, -(lr * dy[(size_t)b * out + o]));
    }
}

/* dw[o,i] = sum_b dy[b,o] * x[b,i], summed over b in increasing order: the first sample's
 * product, then one fused multiply-add per further sample. dy [B,out], x [B,in], dw [out,in].
 * No scratch. Only plans that store gradients call it. */
void ad_linear_backward_weight_f32(const float *dy, const float *x, float *dw,
                                   uint32_t batch, uint32_t in, uint32_t out)
{
    for (uint32_t o = 0; o < out; ++o) {
        float *row = dw + (size_t)o * in;
        const float d0 = batch > 0u ? dy[o] : 0.0f;
        for (uint32_t i = 0; i < in; i += 4u) {
            const mve_pred16_t p = vctp32q(in - i);
            const float32x4_t xv = batch > 0u ? vld1q_z_f32(x + i, p) : vdupq_n_f32(0.0f);
            vst1q_p_f32(row + i, vmulq_n_f32(xv, d0), p);
        }
        for (uint32_t b = 1; b < batch; ++b)
            ad_mve_axpy(row, x + (size_t)b * in, in, dy[(size_t)b * out + o]);
    }
}

/* db[c] = sum_r dy[r,c], summed over r in increasing order.  dy [rows,channels], db [channels].
 * Four channels per pass down the rows. No scratch. */
void ad_bias_backward_f32(const float *dy, float *db, uint32_t rows, uint32_t channels)
{
    for (uint32_t c = 0; c < channels; c += 4u) {
        const mve_pred16_t p = vctp32q(channels - c);
        float32x4_t acc = rows > 0u ? vld1q_z_f32(dy + c, p) : vdupq_n_f32(0.0f);
        for (uint32_t r = 1; r < rows; ++r) acc = vaddq_f32(acc, vld1q_z_f32(dy + (size_t)r * channels + c, p));
        vst1q_p_f32(db + c, acc, p);
    }
}

#else

#include "../portable/internal/linear_common.h"

void ad_linear_sgd_f32(float *w, const float *dy, const float *x,
                       uint32_t batch, uint32_t in, uint32_t out, float lr)
{
    ad_linear_sgd_c(w, dy, x, batch, in, out, lr);
}

#endif
