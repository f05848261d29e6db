/*
 * optimizers.c - optimizer updates, learning-rate schedules and the L2 penalty on CMSIS-DSP.
 * Same functions and semantics as kernels/portable/optimizers.c (PyTorch's formulas, the
 * gradient regularised as d = g + 2*l2*w, then d += weight_decay*w).
 *
 * SGD with momentum runs as vector passes (arm_scale_f32, arm_add_f32, arm_copy_f32) over chunks
 * of AD_CHUNK elements held on the stack; each pass evaluates the same float expression as the
 * portable loop, so the results are the same. SGD without momentum is a single pass in C (unrolled
 * when there is no regularisation), which takes fewer instructions than scale-then-add: CMSIS-DSP
 * has no fused multiply-add of two vectors. Adam and RMSprop need a square root per element, which
 * CMSIS-DSP has no vector function for; they are plain C. The L2 penalty's sum of squares is
 * arm_power_f32.
 */
#include "autodiff_kernels.h"

#include "arm_math.h"

/* ad_lr_schedule_f32, ad_adam_f32 and ad_rmsprop_f32, the same plain C as the portable kernels
 * (kernels/portable/internal/). */
#include "internal/plain_optimizers.h"

/* Elements per vector pass; two chunks of this size live on the stack during an SGD update. */
#define AD_CHUNK 64u

/* SGD on w, g, momentum_buf [n] (momentum_buf non-NULL iff momentum != 0), in place on w and the
 * buffer; without momentum in one pass, otherwise as chunks of vector passes:  d = g (+ 2*l2*w) (+ weight_decay*w);
 * buf = step 0 ? d : momentum*buf + (1 - dampening)*d;  d = nesterov ? d + momentum*buf : buf;
 * w = w + (-lr)*d. */
void ad_sgd_f32(float *w, const float *g, float *momentum_buf, uint32_t n, float lr,
                float momentum, float dampening, int nesterov, float weight_decay, float l2,
                uint32_t step)
{
    float d[AD_CHUNK], t[AD_CHUNK];
    const float two_l2 = 2.0f * l2;
    const float keep = 1.0f - dampening;
    if (!momentum_buf && l2 == 0.0f && weight_decay == 0.0f) {
        /* Plain SGD, the common case: one pass beats scale-then-add (two passes over a chunk). */
        uint32_t i = 0;
        for (; i + 4u <= n; i += 4u) {
            const float u0 = lr * g[i], u1 = lr * g[i + 1u], u2 = lr * g[i + 2u], u3 = lr * g[i + 3u];
            w[i] -= u0;
            w[i + 1u] -= u1;
            w[i + 2u] -= u2;
            w[i + 3u] -= u3;
        }
        for (; i < n; ++i) w[i] -= lr * g[i];
        return;
    }
    if (!momentum_buf) {
        /* Regularised, no momentum: also one pass. A zero coefficient adds an exact 0*w. */
        for (uint32_t i = 0; i < n; ++i) {
            const float d = (g[i] + two_l2 * w[i]) + weight_decay * w[i];
            w[i] -= lr * d;
        }
        return;
    }
    for (uint32_t k = 0; k < n; k += AD_CHUNK) {
        const uint32_t c = n - k < AD_CHUNK ? n - k : AD_CHUNK;
        float *wk = w + k;
        const float *dk = g + k;
        if (l2 != 0.0f || weight_decay != 0.0f) {
            if (l2 != 0.0f) {
                arm_scale_f32(wk, two_l2, t, c);
                arm_add_f32(dk, t, d, c);
            } else {
                arm_copy_f32(dk, d, c);
            }
            if (weight_decay != 0.0f) {
                arm_scale_f32(wk, weight_decay, t, c);
                arm_add_f32(d, t, d, c);
            }
            dk = d;
        }
        if (momentum_buf) {
            float *bk = momentum_buf + k;
            if (step == 0u) {
                arm_copy_f32(dk, bk, c);
            } else {
                arm_scale_f32(bk, momentum, bk, c);
                arm_scale_f32(dk, keep, t, c);
                arm_add_f32(bk, t, bk, c);
            }
            if (nesterov) {
                arm_scale_f32(bk, momentum, t, c);
                arm_add_f32(dk, t, d, c);
                dk = d;
            } else {
                dk = bk;
            }
        }
        arm_scale_f32(dk, -lr, t, c);
        arm_add_f32(wk, t, wk, c);
    }
}

/* *loss = (accumulate ? *loss : 0) + lambda * sum_i w[i]^2, w [n]; the sum is arm_power_f32. */
void ad_l2_penalty_f32(const float *w, uint32_t n, float lambda, float *loss, int accumulate)
{
    float32_t sum = 0.0f;
    arm_power_f32(w, n, &sum);
    *loss = (accumulate ? *loss : 0.0f) + lambda * sum;
}
