/*
 * optimizers.c - portable optimizer updates (PyTorch semantics), learning-rate schedules and
 * the L2 penalty term of the loss.
 *
 * Every update works on a span of n elements of one parameter and its state, in place, so the
 * generated code can apply it to a whole parameter or to one tile (e.g. one weight row) right
 * after that tile of the gradient is computed. Elements are independent of each other.
 *
 * The gradient used by every update is d = g + 2*l2*w (the loss's `l2:` term, whose gradient is
 * applied here instead of being materialised) and then d += weight_decay*w, in that order; the
 * reference interpreter evaluates the same float expressions in the same order.
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

void ad_sgd_f32(float *w, const float *g, float *momentum_buf, uint32_t n, float lr,
                float momentum, float dampening, int nesterov, float weight_decay, float l2,
                uint32_t step)
{
    const float two_l2 = 2.0f * l2;
    const float keep = 1.0f - dampening;
    for (uint32_t i = 0; i < n; ++i) {
        float d = g[i];
        if (l2 != 0.0f) d += two_l2 * w[i];
        if (weight_decay != 0.0f) d += weight_decay * w[i];
        if (momentum_buf) {
            /* PyTorch starts the buffer as a copy of the first gradient, undamped. */
            const float b = step == 0 ? d : momentum * momentum_buf[i] + keep * d;
            momentum_buf[i] = b;
            d = nesterov ? d + momentum * b : b;
        }
        w[i] -= lr * d;
    }
}

void ad_adam_f32(float *w, const float *g, float *m, float *v, uint32_t n, float lr,
                 float beta1, float beta2, float eps, float weight_decay, float l2, uint32_t step)
{
    const double t = (double)step + 1.0;
    const float step_size = (float)((double)lr / (1.0 - pow((double)beta1, t)));
    const float bc2_sqrt = (float)sqrt(1.0 - pow((double)beta2, t));
    const float two_l2 = 2.0f * l2;
    const float one_minus_beta1 = 1.0f - beta1;
    const float one_minus_beta2 = 1.0f - beta2;
    for (uint32_t i = 0; i < n; ++i) {
        float d = g[i];
        if (l2 != 0.0f) d += two_l2 * w[i];
        if (weight_decay != 0.0f) d += weight_decay * w[i];
        m[i] = beta1 * m[i] + one_minus_beta1 * d;
        v[i] = beta2 * v[i] + one_minus_beta2 * d * d;
        w[i] -= step_size * m[i] / (sqrtf(v[i]) / bc2_sqrt + eps);
    }
}

void ad_rmsprop_f32(float *w, const float *g, float *square_avg, float *momentum_buf, uint32_t n,
                    float lr, float alpha, float eps, float momentum, float weight_decay, float l2)
{
    const float two_l2 = 2.0f * l2;
    const float one_minus_alpha = 1.0f - alpha;
    for (uint32_t i = 0; i < n; ++i) {
        float d = g[i];
        if (l2 != 0.0f) d += two_l2 * w[i];
        if (weight_decay != 0.0f) d += weight_decay * w[i];
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

void ad_l2_penalty_f32(const float *w, uint32_t n, float lambda, float *loss, int accumulate)
{
    float sum = 0.0f;
    for (uint32_t i = 0; i < n; ++i) sum += w[i] * w[i];
    *loss = (accumulate ? *loss : 0.0f) + lambda * sum;
}
