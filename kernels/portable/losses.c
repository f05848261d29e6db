/*
 * losses.c - portable losses (batch means, PyTorch's default reduction) and their gradients.
 * Predictions and targets are [B, k] with k values per sample.
 */
#include "autodiff_kernels.h"

void ad_nll_loss_f32(const float *logp, const float *target, float *loss, uint32_t batch, uint32_t classes)
{
    float sum = 0.0f;
    for (uint32_t i = 0; i < batch * classes; ++i) sum += target[i] * logp[i];
    *loss = -sum / (float)batch;
}

void ad_nll_loss_backward_f32(const float *target, const float *upstream, float *dlogp,
                              uint32_t batch, uint32_t classes)
{
    float scale = (upstream ? *upstream : 1.0f) / (float)batch;
    for (uint32_t i = 0; i < batch * classes; ++i) dlogp[i] = -target[i] * scale;
}
