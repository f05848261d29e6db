/* SPDX-License-Identifier: MIT */
/*
 * activations.c - element-wise functions on CMSIS-NN's float32 API, with a Helium (MVE) backward
 * kernel of our own. Same functions and semantics as kernels/portable/activations.c.
 * x, y, dy, dx [n], float32. No scratch.
 *
 * On a Helium core:
 *   ad_relu_f32           arm_nn_activation_f32 (ARM_NN_FLT_ACT_RELU): max(x, 0) as VMAXNM, which
 *                         gives +0 for -0 and for NaN, as the portable select does
 *   ad_relu_backward_f32  CMSIS-NN has no activation gradient: dy times a 1/0 mask made by a
 *                         compare and a select, four elements per instruction (the portable
 *                         multiplication, so the same results)
 * Elsewhere both are the portable C of ../portable/internal/activations_common.h: CMSIS-NN's
 * scalar ReLU passes -0 and NaN through, which the contract maps to +0.
 */
#include "autodiff_kernels.h"

#if defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 2)

#include <arm_mve.h>

#include "arm_nnfunctions.h"

/* y = max(x, 0).  x, y [n]; in place allowed. No scratch. */
void ad_relu_f32(const float *x, float *y, uint32_t n)
{
    (void)arm_nn_activation_f32(x, y, (int32_t)n, ARM_NN_FLT_ACT_RELU, 0.0f);
}

/* dx = dy * (y > 0 ? 1 : 0).  dy, y, dx [n]; in place allowed (dx == dy). No scratch. */
void ad_relu_backward_f32(const float *dy, const float *y, float *dx, uint32_t n)
{
    const float32x4_t one = vdupq_n_f32(1.0f), zero = vdupq_n_f32(0.0f);
    for (uint32_t i = 0; i < n; i += 4u) {
        const mve_pred16_t p = vctp32q(n - i);
        const float32x4_t mask = vpselq_f32(one, zero, vcmpgtq_n_f32(vld1q_z_f32(y + i, p), 0.0f));
        vst1q_p_f32(dx + i, vmulq_f32(vld1q_z_f32(dy + i, p), mask), p);
    }
}

#else

#include "../portable/internal/activations_common.h"

#endif
