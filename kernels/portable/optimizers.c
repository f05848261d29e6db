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

/* ad_lr_schedule_f32, ad_adam_f32, ad_rmsprop_f32 and the regularised gradient. */
#include "internal/plain_optimizers.h"

void ad_sgd_f32(float *w, const float *g, float *momentum_buf, uint32_t n, float lr,
                float momentum, float dampening, int nesterov, float weight_decay, float l2,
                uint32_t step)
{
    const float two_l2 = 2.0f * l2;
    const float keep = 1.0f - dampening;
    for (uint32_t i = 0; i < n; ++i) {
        float d = ad_regularised_gradient(g[i], &w[i], l2, two_l2, weight_decay);
        if (momentum_buf) {
            /* PyTorch starts the buffer as a copy of the first gradient, undamped. */
            const float b = step == 0 ? d : momentum * momentum_buf[i] + keep * d;
            momentum_buf[i] = b;
            d = nesterov ? d + momentum * b : b;
        }
        w[i] -= lr * d;
    }
}

void ad_l2_penalty_f32(const float *w, uint32_t n, float lambda, float *loss, int accumulate)
{
    float sum = 0.0f;
    for (uint32_t i = 0; i < n; ++i) sum += w[i] * w[i];
    *loss = (accumulate ? *loss : 0.0f) + lambda * sum;
}
