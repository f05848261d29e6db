/* SPDX-License-Identifier: MIT */
/*
 * losses.c - portable losses (batch means, PyTorch's default reduction) and their gradients.
 * Predictions and targets are [B, k] with k values per sample. Gradient kernels take an optional
 * upstream scalar (NULL when the loss is the value being minimised).
 */
#include <math.h>

#include "autodiff_kernels.h"

void ad_nll_loss_f32(const float *logp, const float *target, float *loss, uint32_t rows, uint32_t classes)
{
    float sum = 0.0f;
    for (uint32_t i = 0; i < rows * classes; ++i) sum += target[i] * logp[i];
    *loss = -sum / (float)rows;
}

void ad_nll_loss_backward_f32(const float *target, const float *upstream, float *dlogp,
                              uint32_t rows, uint32_t classes)
{
    float scale = (upstream ? *upstream : 1.0f) / (float)rows;
    for (uint32_t i = 0; i < rows * classes; ++i) dlogp[i] = -target[i] * scale;
}

/* Cross-entropy on logits: per row, log_softmax is formed from the row maximum and log-sum-exp,
 * so no exp overflows. [rows, classes]. */
void ad_cross_entropy_loss_f32(const float *logits, const float *target, float *loss,
                               uint32_t rows, uint32_t classes)
{
    float sum = 0.0f;
    for (uint32_t r = 0; r < rows; ++r) {
        const float *x = logits + (size_t)r * classes;
        const float *t = target + (size_t)r * classes;
        float max = x[0];
        for (uint32_t i = 1; i < classes; ++i) max = x[i] > max ? x[i] : max;
        float e = 0.0f;
        for (uint32_t i = 0; i < classes; ++i) e += expf(x[i] - max);
        float log_sum = logf(e);
        for (uint32_t i = 0; i < classes; ++i) sum += t[i] * (x[i] - max - log_sum);
    }
    *loss = -sum / (float)rows;
}

/* Multiplying softmax by the row's target mass keeps the gradient exact for targets that do not
 * sum to one; for one-hot or probability targets it is (softmax - target) / rows. */
void ad_cross_entropy_loss_backward_f32(const float *logits, const float *target, const float *upstream,
                                        float *dlogits, uint32_t rows, uint32_t classes)
{
    float scale = (upstream ? *upstream : 1.0f) / (float)rows;
    for (uint32_t r = 0; r < rows; ++r) {
        const float *x = logits + (size_t)r * classes;
        const float *t = target + (size_t)r * classes;
        float *d = dlogits + (size_t)r * classes;
        float max = x[0];
        for (uint32_t i = 1; i < classes; ++i) max = x[i] > max ? x[i] : max;
        float e = 0.0f, mass = 0.0f;
        for (uint32_t i = 0; i < classes; ++i) {
            e += expf(x[i] - max);
            mass += t[i];
        }
        for (uint32_t i = 0; i < classes; ++i) d[i] = (expf(x[i] - max) / e * mass - t[i]) * scale;
    }
}

void ad_mse_loss_f32(const float *pred, const float *target, float *loss, uint32_t n)
{
    float sum = 0.0f;
    for (uint32_t i = 0; i < n; ++i) {
        float d = pred[i] - target[i];
        sum += d * d;
    }
    *loss = sum / (float)n;
}

void ad_mse_loss_backward_f32(const float *pred, const float *target, const float *upstream,
                              float *dpred, uint32_t n)
{
    float scale = 2.0f * (upstream ? *upstream : 1.0f) / (float)n;
    for (uint32_t i = 0; i < n; ++i) dpred[i] = (pred[i] - target[i]) * scale;
}

/* max(x,0) - x*t + log(1 + exp(-|x|)) equals the textbook form but never overflows exp. */
void ad_bce_with_logits_loss_f32(const float *logits, const float *target, float *loss, uint32_t n)
{
    float sum = 0.0f;
    for (uint32_t i = 0; i < n; ++i) {
        float x = logits[i];
        sum += (x > 0.0f ? x : 0.0f) - x * target[i] + logf(1.0f + expf(-fabsf(x)));
    }
    *loss = sum / (float)n;
}

void ad_bce_with_logits_loss_backward_f32(const float *logits, const float *target, const float *upstream,
                                          float *dlogits, uint32_t n)
{
    float scale = (upstream ? *upstream : 1.0f) / (float)n;
    for (uint32_t i = 0; i < n; ++i) {
        float x = logits[i], s;
        /* Split on the sign so exp never overflows. */
        if (x >= 0.0f) {
            s = 1.0f / (1.0f + expf(-x));
        } else {
            float e = expf(x);
            s = e / (1.0f + e);
        }
        dlogits[i] = (s - target[i]) * scale;
    }
}

void ad_hinge_loss_f32(const float *pred, const float *target, float *loss, uint32_t n)
{
    float sum = 0.0f;
    for (uint32_t i = 0; i < n; ++i) {
        float margin = 1.0f - target[i] * pred[i];
        if (margin > 0.0f) sum += margin;
    }
    *loss = sum / (float)n;
}

void ad_hinge_loss_backward_f32(const float *pred, const float *target, const float *upstream,
                                float *dpred, uint32_t n)
{
    float scale = (upstream ? *upstream : 1.0f) / (float)n;
    for (uint32_t i = 0; i < n; ++i)
        dpred[i] = 1.0f - target[i] * pred[i] > 0.0f ? -target[i] * scale : 0.0f;
}
