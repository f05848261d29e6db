/*
 * plain_optimizers.h - the optimizer kernels that every kernel implementation writes in plain C:
 * the learning-rate schedules, Adam (with its once-per-step bias correction) and RMSprop (one pass per element with a square root, which
 * CMSIS-DSP has no vector function for), and the regularised gradient all updates start from.
 *
 * Semantics are PyTorch's; see ../optimizers.c. This header defines external functions of the
 * kernel ABI: exactly one optimizers.c per firmware includes it.
 */
#ifndef AD_INTERNAL_PLAIN_OPTIMIZERS_H
#define AD_INTERNAL_PLAIN_OPTIMIZERS_H

#include <math.h>

#include "../autodiff_kernels.h"

/* C99 has no M_PI. */
#define AD_PI 3.14159265358979323846

/* d = g + 2*l2*w, then d += weight_decay*w, in that order (the order the reference interpreter
 * uses); a zero coefficient leaves its term out. w is read only for a term that is kept, which
 * keeps the common unregularised loop short. */
static inline float ad_regularised_gradient(float g, const float *w, float l2, float two_l2, float weight_decay)
{
    float d = g;
    if (l2 != 0.0f) d += two_l2 * *w;
    if (weight_decay != 0.0f) d += weight_decay * *w;
    return d;
}

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

void ad_adam_f32(float *w, const float *g, float *m, float *v, uint32_t n, float step_size, float bias2_sqrt,
                 float beta1, float beta2, float eps, float weight_decay, float l2)
{
    const float two_l2 = 2.0f * l2;
    const float one_minus_beta1 = 1.0f - beta1;
    const float one_minus_beta2 = 1.0f - beta2;
    for (uint32_t i = 0; i < n; ++i) {
        const float d = ad_regularised_gradient(g[i], &w[i], l2, two_l2, weight_decay);
        m[i] = beta1 * m[i] + one_minus_beta1 * d;
        v[i] = beta2 * v[i] + one_minus_beta2 * d * d;
        w[i] -= step_size * m[i] / (sqrtf(v[i]) / bias2_sqrt + eps);
    }
}

void ad_rmsprop_f32(float *w, const float *g, float *square_avg, float *momentum_buf, uint32_t n,
                    float lr, float alpha, float eps, float momentum, float weight_decay, float l2)
{
    const float two_l2 = 2.0f * l2;
    const float one_minus_alpha = 1.0f - alpha;
    for (uint32_t i = 0; i < n; ++i) {
        const float d = ad_regularised_gradient(g[i], &w[i], l2, two_l2, weight_decay);
        square_avg[i] = alpha * square_avg[i] + one_minus_alpha * d * d;
        const float avg = sqrtf(square_avg[i]) + eps;
        if (momentum_buf) {
            momentum_buf[i] = momentum * momentum_buf[i] + d / avg;
            w[i] -= lr * momentum_buf[i];
        } else {
            w[i] -= lr * (d / avg);
        }
    }
}

#endif
