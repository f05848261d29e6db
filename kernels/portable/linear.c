/* SPDX-License-Identifier: MIT */
/*
 * linear.c - portable fully connected kernels: the forward pass and the plain-SGD weight update
 * with the gradient never stored are the shared C of internal/linear_common.h, as are the input,
 * weight and bias gradients. Layouts: x [B,in], w [out,in], y [B,out], all row-major float32.
 */
#include "autodiff_kernels.h"

#include "internal/linear_common.h"

/* y[b,o] = sum_i x[b,i] * w[o,i] + bias[o]; see ad_linear_forward_c. */
void ad_linear_f32(const float *x, const float *w, const float *bias, float *y,
                   uint32_t batch, uint32_t in, uint32_t out)
{
    ad_linear_forward_c(x, w, bias, y, batch, in, out);
}

/* w[o,i] -= lr * sum_b dy[b,o] * x[b,i], one fused multiply-add per term; see ad_linear_sgd_c. */
void ad_linear_sgd_f32(float *w, const float *dy, const float *x,
                       uint32_t batch, uint32_t in, uint32_t out, float lr)
{
    ad_linear_sgd_c(w, dy, x, batch, in, out, lr);
}
