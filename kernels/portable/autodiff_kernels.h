/*
 * autodiff_kernels.h - the kernel ABI between Autodiff's generated C and its kernels.
 *
 * Generated code calls only the functions declared here. Two implementations exist:
 * kernels/portable (C99 + libm) and kernels/cmsis (CMSIS-DSP / CMSIS-NN); the build links one
 * implementation per kernel family (one .c file per family, named in each section below).
 *
 * Conventions
 *  - float32 everywhere, row-major; activations NHWC, linear weights [out, in],
 *    conv weights [out, kh, kw, in] (OHWI).
 *  - Element counts and dimensions are uint32_t. Outputs never alias inputs unless the
 *    function says it may run in place.
 *  - "B" is the batch (samples per training step).
 */
#ifndef AUTODIFF_KERNELS_H
#define AUTODIFF_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- linear.c: fully connected layers ------------------------------------------------ */

/* y[b,o] = sum_i x[b,i] * w[o,i] + bias[o].  x [B,in], w [out,in], bias [out] or NULL, y [B,out]. */
void ad_linear_f32(const float *x, const float *w, const float *bias, float *y,
                   uint32_t batch, uint32_t in, uint32_t out);

/* dx[b,i] = sum_o dy[b,o] * w[o,i].  dy [B,out], w [out,in], dx [B,in]. */
void ad_linear_backward_input_f32(const float *dy, const float *w, float *dx,
                                  uint32_t batch, uint32_t in, uint32_t out);

/* One row of the weight gradient: dw_row[i] = sum_b dy[b,row] * x[b,i].
 * dy [B,out], x [B,in], dw_row [in]. */
void ad_linear_backward_weight_row_f32(const float *dy, const float *x, float *dw_row,
                                       uint32_t batch, uint32_t in, uint32_t out, uint32_t row);

/* db[c] = sum_r dy[r,c].  dy [rows,channels], db [channels]. */
void ad_bias_backward_f32(const float *dy, float *db, uint32_t rows, uint32_t channels);

/* ---- elementwise.c: element-wise arithmetic ------------------------------------------ */

/* z[i] = x[i] + y[i], i < n. May run in place (z == x or z == y). */
void ad_add_f32(const float *x, const float *y, float *z, uint32_t n);

/* ---- activations.c: element-wise activations and their derivatives ------------------- */

/* y[i] = 1 / (1 + exp(-x[i])), i < n. May run in place. */
void ad_sigmoid_f32(const float *x, float *y, uint32_t n);

/* dx[i] = dy[i] * y[i] * (1 - y[i]), from the forward output y. May run in place on dy. */
void ad_sigmoid_backward_f32(const float *dy, const float *y, float *dx, uint32_t n);

/* ---- softmax.c: softmax and log-softmax over the last axis -------------------------- */

/* y[r,:] = x[r,:] - max - log(sum(exp(x[r,:] - max))).  x, y [rows,n]. */
void ad_log_softmax_f32(const float *x, float *y, uint32_t rows, uint32_t n);

/* dx[r,i] = dy[r,i] - exp(y[r,i]) * sum_j dy[r,j], from the forward output y.  [rows,n]. */
void ad_log_softmax_backward_f32(const float *dy, const float *y, float *dx, uint32_t rows, uint32_t n);

/* ---- losses.c: losses (batch means) and their gradients ------------------------------ */

/* *loss = -(1/B) sum_{b,c} target[b,c] * logp[b,c].  logp, target [B,classes]. */
void ad_nll_loss_f32(const float *logp, const float *target, float *loss, uint32_t batch, uint32_t classes);

/* dlogp[b,c] = -target[b,c] / B * (upstream ? *upstream : 1).  [B,classes]. */
void ad_nll_loss_backward_f32(const float *target, const float *upstream, float *dlogp,
                              uint32_t batch, uint32_t classes);

/* ---- (new kernel families are added above this line, one section per family file) ---- */

#ifdef __cplusplus
}
#endif

#endif /* AUTODIFF_KERNELS_H */
