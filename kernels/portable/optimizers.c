/* SPDX-License-Identifier: MIT */
/*
 * optimizers.c - portable learning-rate schedules, Adam's bias correction and the L2 penalty term
 * of the loss. The updates themselves (PyTorch semantics) are loops the code generator writes,
 * specialised to each optimizer's settings and fused into the weight-gradient loops.
 *
 * Scalars that depend only on the step (schedules, Adam's bias corrections) are computed in double
 * and rounded to float once, so that they agree with the interpreter to the last bit or so.
 */
#include "autodiff_kernels.h"

#include <math.h>

/* C99 has no M_PI. */
#define AD_PI 3.14159265358979323846

float ad_lr_schedule_f32(uint32_t kind, double base_lr, double gamma, uint32_t period,
                         double eta_min, uint32_t step)
{
    double lr = base_lr;
    switch (kind) {
    case AD_LR_STEP:
        lr = base_lr * pow(gamma, (double)(step / period));
        break;
    case AD_LR_EXPONENTIAL:
        lr = base_lr * pow(gamma, (double)step);
        break;
    case AD_LR_COSINE:
        /* Past t_max the rate stays at eta_min rather than rising again. */
        lr = step >= period ? eta_min
                            : eta_min + (base_lr - eta_min) * (1.0 + cos(AD_PI * (double)step / (double)period)) / 2.0;
        break;
    default:
        break;
    }
    return (float)lr;
}

void ad_adam_bias_correction_f32(float lr, float beta1, float beta2, uint32_t step,
                                 float *step_size, float *bias2_sqrt)
{
    const double t = (double)step + 1.0;
    *step_size = (float)((double)lr / (1.0 - pow((double)beta1, t)));
    *bias2_sqrt = (float)sqrt(1.0 - pow((double)beta2, t));
}

void ad_l2_penalty_f32(const float *w, uint32_t n, float lambda, float *loss, int accumulate)
{
    float sum = 0.0f;
    for (uint32_t i = 0; i < n; ++i) sum += w[i] * w[i];
    *loss = (accumulate ? *loss : 0.0f) + lambda * sum;
}
