/*
 * autodiff_kernels.h - the kernel ABI between Autodiff's generated C and its kernels.
 *
 * Generated code calls only the functions declared here and the C library's (math.h: the
 * element-wise functions and optimizer updates it writes as loops of its own). Three
 * implementations exist: kernels/portable (C99 + libm), kernels/armv7em (Cortex-M4F/M7 assembly
 * for the hot loops) and kernels/cmsis (CMSIS-DSP / CMSIS-NN); the build links one implementation
 * per kernel family (one .c file per family, named in each section below).
 *
 * Conventions
 *  - float32 everywhere, row-major; activations NHWC, linear weights [out, in],
 *    conv weights [out, kh, kw, in] (OHWI).
 *  - Element counts and dimensions are uint32_t. Outputs never alias inputs unless the
 *    function says it may run in place.
 *  - "B" is the batch (samples per training step).
 *  - Helium (MVE) implementations may flush denormal inputs and results to zero: MVE floating
 *    point has no denormals. Elsewhere results follow IEEE 754 single precision.
 */
#ifndef AUTODIFF_KERNELS_H
#define AUTODIFF_KERNELS_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* AD_FMA(a, b, c) = a*b + c as one fused multiply-add (one rounding) where the FPU has the
 * instruction (Cortex-M4F/M7: VFMA; gcc says so with __FP_FAST_FMAF), else a multiply and an add:
 * there fmaf would be a slow library call. ISO C modes (-std=c99) never contract a*b + c by
 * themselves, so kernels and generated loops ask for it here. */
#if defined(FP_FAST_FMAF) || defined(__FP_FAST_FMAF)
#define AD_FMA(a, b, c) fmaf((a), (b), (c))
#else
#define AD_FMA(a, b, c) ((a) * (b) + (c))
#endif

/* The generated training step marks where its forward, backward and update phases begin, so an
 * instruction counter can split a step (bench/insn-count defines AD_BENCH_PHASES and the three
 * functions); otherwise the marks compile to nothing. */
#ifdef AD_BENCH_PHASES
void ad_bench_phase_forward(void);
void ad_bench_phase_backward(void);
void ad_bench_phase_update(void);
#define AD_PHASE(name) ad_bench_phase_##name()
#else
#define AD_PHASE(name) ((void)0)
#endif

/* ---- linear.c: fully connected layers ------------------------------------------------ */

/* y[b,o] = sum_i x[b,i] * w[o,i] + bias[o].  x [B,in], w [out,in], bias [out] or NULL, y [B,out].
 * Each output is one accumulator summed over i in increasing order, starting from the bias. */
void ad_linear_f32(const float *x, const float *w, const float *bias, float *y,
                   uint32_t batch, uint32_t in, uint32_t out);

/* dx[b,i] = sum_o dy[b,o] * w[o,i].  dy [B,out], w [out,in], dx [B,in]. */
void ad_linear_backward_input_f32(const float *dy, const float *w, float *dx,
                                  uint32_t batch, uint32_t in, uint32_t out);

/* The whole weight gradient, for plans that store it: dw[o,i] = sum_b dy[b,o] * x[b,i].
 * dy [B,out], x [B,in], dw [out,in]. */
void ad_linear_backward_weight_f32(const float *dy, const float *x, float *dw,
                                   uint32_t batch, uint32_t in, uint32_t out);

/* Plain SGD on the weights of a linear layer, the weight gradient never stored: for b = 0..B-1
 * in order, w[o,i] = w[o,i] + (-(lr * dy[b,o])) * x[b,i] (one fused multiply-add per term where
 * the FPU has it), i.e. w -= lr * dy^T x.  w [out,in], dy [B,out], x [B,in]; w aliases neither. */
void ad_linear_sgd_f32(float *w, const float *dy, const float *x,
                       uint32_t batch, uint32_t in, uint32_t out, float lr);

/* db[c] = sum_r dy[r,c].  dy [rows,channels], db [channels]. */
void ad_bias_backward_f32(const float *dy, float *db, uint32_t rows, uint32_t channels);

/* ---- elementwise.c: element-wise arithmetic ------------------------------------------ */

/* z[i] = x[i] + y[i], i < n. May run in place (z == x or z == y). */
void ad_add_f32(const float *x, const float *y, float *z, uint32_t n);

/* z[i] = x[i] - y[i], x[i] * y[i], x[i] / y[i], i < n. May run in place (z == x or z == y). */
void ad_sub_f32(const float *x, const float *y, float *z, uint32_t n);
void ad_mul_f32(const float *x, const float *y, float *z, uint32_t n);
void ad_div_f32(const float *x, const float *y, float *z, uint32_t n);

/* Highest rank of the dims arrays taken by the strided kernels (broadcasting arithmetic,
 * batched matmul); they keep index counters in arrays of this size. */
#define AD_MAX_RANK 8u

/* NumPy-broadcasting z = x op y for op = add, sub, mul, div. z is contiguous with `rank` dims
 * `dims` (rank <= AD_MAX_RANK; rank 0: one element, arrays may be NULL) and is written row-major;
 * x and y are read at sum_d index[d] * x_strides[d] (resp. y_strides), in floats, where a stride
 * of 0 repeats the operand along axis d. May run in place on x when x has z's element count. */
void ad_add_broadcast_f32(const float *x, const float *y, float *z, uint32_t rank, const uint32_t *dims,
                          const uint32_t *x_strides, const uint32_t *y_strides);
void ad_sub_broadcast_f32(const float *x, const float *y, float *z, uint32_t rank, const uint32_t *dims,
                          const uint32_t *x_strides, const uint32_t *y_strides);
void ad_mul_broadcast_f32(const float *x, const float *y, float *z, uint32_t rank, const uint32_t *dims,
                          const uint32_t *x_strides, const uint32_t *y_strides);
void ad_div_broadcast_f32(const float *x, const float *y, float *z, uint32_t rank, const uint32_t *dims,
                          const uint32_t *x_strides, const uint32_t *y_strides);

/* ---- softmax.c: softmax and log-softmax along one axis ------------------------------ */

/* These normalise along the middle axis of a tensor viewed as [outer, n, inner]: element
 * (o, i, j) is at (o*n + i)*inner + j (inner = 1: the last axis). */

/* y = x - max - log(sum exp(x - max)), along n.  x, y [outer,n,inner]. */
void ad_log_softmax_f32(const float *x, float *y, uint32_t outer, uint32_t n, uint32_t inner);

/* dx = dy - exp(y) * sum_n dy, along n, from the forward output y.  [outer,n,inner]. */
void ad_log_softmax_backward_f32(const float *dy, const float *y, float *dx,
                                 uint32_t outer, uint32_t n, uint32_t inner);

/* y = exp(x - max) / sum exp(x - max), along n.  x, y [outer,n,inner]. */
void ad_softmax_f32(const float *x, float *y, uint32_t outer, uint32_t n, uint32_t inner);

/* dx = y * (dy - sum_n dy*y), along n, from the forward output y.  [outer,n,inner]. */
void ad_softmax_backward_f32(const float *dy, const float *y, float *dx,
                             uint32_t outer, uint32_t n, uint32_t inner);

/* ---- losses.c: losses (batch means) and their gradients ------------------------------ */

/* *loss = -(1/rows) sum_{r,c} target[r,c] * logp[r,c].  logp, target [rows,classes]; rows is every
 * leading index (B for [B,classes]). */
void ad_nll_loss_f32(const float *logp, const float *target, float *loss, uint32_t rows, uint32_t classes);

/* dlogp[r,c] = -target[r,c] / rows * (upstream ? *upstream : 1).  [rows,classes]. */
void ad_nll_loss_backward_f32(const float *target, const float *upstream, float *dlogp,
                              uint32_t rows, uint32_t classes);

/* Cross-entropy on logits, log-softmax over the last axis fused in (stable):
 * *loss = -(1/rows) sum_r sum_c target[r,c] * log_softmax(logits[r,:])[c].
 * logits, target [rows,classes]; rows = every leading index (B for [B,classes]). */
void ad_cross_entropy_loss_f32(const float *logits, const float *target, float *loss,
                               uint32_t rows, uint32_t classes);

/* dlogits[r,c] = (softmax(logits[r,:])[c] * sum_j target[r,j] - target[r,c]) / rows * up,
 * up = upstream ? *upstream : 1; equals (softmax - target) / rows for probability targets. */
void ad_cross_entropy_loss_backward_f32(const float *logits, const float *target, const float *upstream,
                                        float *dlogits, uint32_t rows, uint32_t classes);

/* *loss = (1/n) sum_i (pred[i] - target[i])^2: the mean over ALL n = B*k elements. */
void ad_mse_loss_f32(const float *pred, const float *target, float *loss, uint32_t n);

/* dpred[i] = 2 * up / n * (pred[i] - target[i]), up = upstream ? *upstream : 1.  (Swapping pred
 * and target gives the target's gradient.) */
void ad_mse_loss_backward_f32(const float *pred, const float *target, const float *upstream,
                              float *dpred, uint32_t n);

/* *loss = (1/n) sum_i max(x,0) - x*t + log(1 + exp(-|x|)), x = logits[i], t = target[i]. */
void ad_bce_with_logits_loss_f32(const float *logits, const float *target, float *loss, uint32_t n);

/* dlogits[i] = (sigmoid(logits[i]) - target[i]) * up / n. */
void ad_bce_with_logits_loss_backward_f32(const float *logits, const float *target, const float *upstream,
                                          float *dlogits, uint32_t n);

/* *loss = (1/n) sum_i max(0, 1 - target[i] * pred[i]), targets +-1, mean over all n elements. */
void ad_hinge_loss_f32(const float *pred, const float *target, float *loss, uint32_t n);

/* dpred[i] = 1 - target[i]*pred[i] > 0 ? -target[i] * up / n : 0. */
void ad_hinge_loss_backward_f32(const float *pred, const float *target, const float *upstream,
                                float *dpred, uint32_t n);

/* ---- optimizers.c: learning-rate schedules, Adam's bias correction, L2 penalty -------- */

/* The updates themselves are written by the code generator as loops specialised to the
 * optimizer's settings (and fused into the weight-gradient loops of linear and conv2d layers);
 * these are the per-step scalars they start from. */

/* Schedule kinds for ad_lr_schedule_f32. */
#define AD_LR_CONSTANT    0u
#define AD_LR_STEP        1u
#define AD_LR_EXPONENTIAL 2u
#define AD_LR_COSINE      3u

/* The learning rate after `step` completed training steps (PyTorch's closed forms), computed in
 * double and rounded to float once:
 *   AD_LR_CONSTANT     base_lr
 *   AD_LR_STEP         base_lr * gamma^floor(step / period)          (period = step_size >= 1)
 *   AD_LR_EXPONENTIAL  base_lr * gamma^step
 *   AD_LR_COSINE       eta_min + (base_lr - eta_min) * (1 + cos(pi * step / period)) / 2 while
 *                      step < period (= t_max >= 1), then eta_min (held, not periodic).
 * Unused arguments are ignored. */
float ad_lr_schedule_f32(uint32_t kind, double base_lr, double gamma, uint32_t period,
                         double eta_min, uint32_t step);

/* Adam's bias-correction factors for step t = step + 1, computed in double and rounded once:
 * *step_size = lr / (1 - beta1^t), *bias2_sqrt = sqrt(1 - beta2^t). Called once per training
 * step, not per element. */
void ad_adam_bias_correction_f32(float lr, float beta1, float beta2, uint32_t step,
                                 float *step_size, float *bias2_sqrt);

/* *loss = (accumulate ? *loss : 0) + lambda * sum_i w[i]^2.  w [n], loss a scalar; called once
 * per trainable parameter, the first call with accumulate = 0. */
void ad_l2_penalty_f32(const float *w, uint32_t n, float lambda, float *loss, int accumulate);

/* ---- conv.c: 2-D convolution, NHWC activations, OHWI weights --------------------------- */

/* Every conv kernel takes the same geometry: x [B,in_h,in_w,in_c], w [filters,k_h,k_w,in_c],
 * y [B,out_h,out_w,filters]; output (oh,ow) reads input rows oh*stride_h + kh - pad_top and
 * columns ow*stride_w + kw - pad_left, taps outside the input reading zero. For "same" padding
 * out = ceil(in/stride) and pad_top = floor(total/2), total = max((out-1)*stride + k - in, 0). */

/* y[b,oh,ow,f] = bias[f] + sum_{kh,kw,c} x[b,ih,iw,c] * w[f,kh,kw,c].  bias [filters] or NULL. */
void ad_conv2d_f32(const float *x, const float *w, const float *bias, float *y,
                   uint32_t batch, uint32_t in_h, uint32_t in_w, uint32_t in_c,
                   uint32_t out_h, uint32_t out_w, uint32_t filters,
                   uint32_t k_h, uint32_t k_w, uint32_t stride_h, uint32_t stride_w,
                   uint32_t pad_top, uint32_t pad_left);

/* dx[b,ih,iw,c] = sum over the (oh,ow,kh,kw) reading x[b,ih,iw,c] and every f of
 * dy[b,oh,ow,f] * w[f,kh,kw,c].  dy [B,out_h,out_w,filters], dx [B,in_h,in_w,in_c]. */
void ad_conv2d_backward_input_f32(const float *dy, const float *w, float *dx,
                                  uint32_t batch, uint32_t in_h, uint32_t in_w, uint32_t in_c,
                                  uint32_t out_h, uint32_t out_w, uint32_t filters,
                                  uint32_t k_h, uint32_t k_w, uint32_t stride_h, uint32_t stride_w,
                                  uint32_t pad_top, uint32_t pad_left);

/* One element of the weight gradient, k = ((f*k_h + kh)*k_w + kw)*in_c + c (OHWI):
 * returns sum_{b,oh,ow} dy[b,oh,ow,f] * x[b,ih,iw,c] over the positions whose tap is inside the
 * input, in increasing (b, oh, ow) order. The generated code applies the optimizer to the value
 * at once, so the weight gradient is never stored. */
float ad_conv2d_backward_weight_element_f32(const float *dy, const float *x,
                                            uint32_t batch, uint32_t in_h, uint32_t in_w, uint32_t in_c,
                                            uint32_t out_h, uint32_t out_w, uint32_t filters,
                                            uint32_t k_h, uint32_t k_w, uint32_t stride_h, uint32_t stride_w,
                                            uint32_t pad_top, uint32_t pad_left, uint32_t k);

/* (The bias gradient of conv2d is ad_bias_backward_f32 with rows = B*out_h*out_w.) */

/* ---- pool.c: 2-D max / average pooling, NHWC, valid padding --------------------------- */

/* Every pool kernel takes x [B,in_h,in_w,channels], y [B,out_h,out_w,channels], window k_h x k_w
 * at (oh*stride_h, ow*stride_w); out = (in - k) / stride + 1. */

/* y = max of each window. */
void ad_maxpool2d_f32(const float *x, float *y,
                      uint32_t batch, uint32_t in_h, uint32_t in_w, uint32_t channels,
                      uint32_t out_h, uint32_t out_w, uint32_t k_h, uint32_t k_w,
                      uint32_t stride_h, uint32_t stride_w);

/* dx = 0, then dx[first max of each window (row-major)] += dy of that window; the maxima are
 * found again from the forward input x.  dy [B,out_h,out_w,channels], x, dx [B,in_h,in_w,channels]. */
void ad_maxpool2d_backward_f32(const float *dy, const float *x, float *dx,
                               uint32_t batch, uint32_t in_h, uint32_t in_w, uint32_t channels,
                               uint32_t out_h, uint32_t out_w, uint32_t k_h, uint32_t k_w,
                               uint32_t stride_h, uint32_t stride_w);

/* y = sum of each window / (k_h*k_w). */
void ad_avgpool2d_f32(const float *x, float *y,
                      uint32_t batch, uint32_t in_h, uint32_t in_w, uint32_t channels,
                      uint32_t out_h, uint32_t out_w, uint32_t k_h, uint32_t k_w,
                      uint32_t stride_h, uint32_t stride_w);

/* dx = 0, then every element of each window += dy of that window / (k_h*k_w). */
void ad_avgpool2d_backward_f32(const float *dy, float *dx,
                               uint32_t batch, uint32_t in_h, uint32_t in_w, uint32_t channels,
                               uint32_t out_h, uint32_t out_w, uint32_t k_h, uint32_t k_w,
                               uint32_t stride_h, uint32_t stride_w);

/* ---- dropout.c: inverted dropout with a counter-based mask ----------------------------- */

/* Element i of training step `step` (steps completed before this one) is kept iff
 *   mix(mix(seed ^ mix(step + 0x9E3779B9)) + i * 0x9E3779B9) >= threshold   (uint32 arithmetic,
 * mix = murmur3's fmix32), threshold = (uint32_t)(p * 2^32); kept: y = x * scale, scale = 1/(1-p);
 * dropped: y = 0. Training only: prediction code treats dropout as the identity. May run in place. */
void ad_dropout_f32(const float *x, float *y, uint32_t n, uint32_t seed, uint32_t step,
                    uint32_t threshold, float scale);

/* dx = dy through the same mask (recomputed from seed, step, i) and scale. May run in place. */
void ad_dropout_backward_f32(const float *dy, float *dx, uint32_t n, uint32_t seed, uint32_t step,
                             uint32_t threshold, float scale);

/* ---- matmul.c: batched matrix products ----------------------------------------------- */

/* Stacks of row-major matrices with batch axes batch_dims[batch_rank] (batch_rank <= AD_MAX_RANK - 2;
 * 0 with NULL arrays for plain matrices). Each operand moves through the stack by its own batch
 * strides in floats; 0 repeats an input along that axis (broadcasting), and for the output sums
 * every product landing on the same matrix (the batch is walked row-major: the first product
 * stores, later ones add). For each matrix, sums over the inner index run in increasing order. */

/* c[..,i,j] = sum_p a[..,i,p] * b[..,p,j].  a [..,m,k], b [..,k,n], c [..,m,n]. */
void ad_matmul_f32(const float *a, const float *b, float *c, uint32_t m, uint32_t k, uint32_t n,
                   uint32_t batch_rank, const uint32_t *batch_dims, const uint32_t *a_batch_strides,
                   const uint32_t *b_batch_strides, const uint32_t *c_batch_strides);

/* da[..,i,p] = sum_j dc[..,i,j] * b[..,p,j] (dC * B^T).  dc [..,m,n], b [..,k,n], da [..,m,k]. */
void ad_matmul_backward_a_f32(const float *dc, const float *b, float *da, uint32_t m, uint32_t k, uint32_t n,
                              uint32_t batch_rank, const uint32_t *batch_dims, const uint32_t *dc_batch_strides,
                              const uint32_t *b_batch_strides, const uint32_t *da_batch_strides);

/* db[..,p,j] = sum_i a[..,i,p] * dc[..,i,j] (A^T * dC).  a [..,m,k], dc [..,m,n], db [..,k,n]. */
void ad_matmul_backward_b_f32(const float *a, const float *dc, float *db, uint32_t m, uint32_t k, uint32_t n,
                              uint32_t batch_rank, const uint32_t *batch_dims, const uint32_t *a_batch_strides,
                              const uint32_t *dc_batch_strides, const uint32_t *db_batch_strides);

/* ---- shape.c: shape-only ops (reshape, flatten, squeeze, unsqueeze) --------------------- */

/* y[i] = x[i], i < n; does nothing when y == x, so the planner may give the output the input's buffer. */
void ad_copy_f32(const float *x, float *y, uint32_t n);

/* ---- activations.c: element-wise functions the generated code calls ------------------- */

/* The element-wise functions of the model language are loops the code generator writes inline,
 * except these, which a vector implementation runs faster (see ElementwiseFunction.HasKernel). */

/* y[i] = x[i] > 0 ? x[i] : 0 (+0 for -0 and NaN), i < n. May run in place (y == x). */
void ad_relu_f32(const float *x, float *y, uint32_t n);

/* dx[i] = dy[i] * (y[i] > 0 ? 1 : 0), i < n, from the forward output y. May run in place (dx == dy). */
void ad_relu_backward_f32(const float *dy, const float *y, float *dx, uint32_t n);

/* ---- (new kernel families are added above this line, one section per family file) ---- */

#ifdef __cplusplus
}
#endif

#endif /* AUTODIFF_KERNELS_H */
