/* SPDX-License-Identifier: MIT */
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
 *  - Frozen, quantised layers (int8.c) run on int8_t tensors (TFLite's affine quantisation:
 *    real = scale * (q - zero_point)), NHWC like float activations. Their results are integers and
 *    bit-identical across implementations; their geometry comes in parameter structs, and they
 *    may take a scratch buffer whose size the engine plans per call and implementation.
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

/* The same for int8 tensors (flattening a quantised feature map). */
void ad_copy_s8(const int8_t *x, int8_t *y, uint32_t n);

/* ---- activations.c: element-wise functions the generated code calls ------------------- */

/* The element-wise functions of the model language are loops the code generator writes inline,
 * except these, which a vector implementation runs faster (see ElementwiseFunction.HasKernel). */

/* y[i] = x[i] > 0 ? x[i] : 0 (+0 for -0 and NaN), i < n. May run in place (y == x). */
void ad_relu_f32(const float *x, float *y, uint32_t n);

/* dx[i] = dy[i] * (y[i] > 0 ? 1 : 0), i < n, from the forward output y. May run in place (dx == dy). */
void ad_relu_backward_f32(const float *dy, const float *y, float *dx, uint32_t n);

/* ---- int8.c: frozen int8 layers -------------------------------------------------------- */

/* Inference-only layers on int8 tensors, with CMSIS-NN's (TFLite's) integer arithmetic: an int32
 * accumulator acc = bias + sum (x + input_offset) * w, then per output channel
 *   q = clamp(requantize(acc, multiplier, shift) + output_offset, act_min, act_max),
 * requantize(a, m, s) = rounding_divide_by_2^max(-s,0)(doubling_high_mul(a * 2^max(s,0), m)), where
 * doubling_high_mul(a, m) = (a*m + 2^30) >> 31 in 64 bits (rounds halves up) and the rounding
 * divide rounds halves away from zero (CMSIS-NN's arm_nn_requantize without
 * CMSIS_NN_USE_SINGLE_ROUNDING; multiplier in [2^30, 2^31), shift in [-31, 30]). Weights have zero
 * point 0 (symmetric). Results are exact integers: every implementation gives the same bytes.
 *
 * `scratch` is a 4-byte aligned buffer of p->scratch_bytes bytes that the engine plans for the
 * implementation it links: for cmsis what CMSIS-NN's <function>_get_buffer_size says for the call
 * (CmsisNnScratch in the engine gives the bytes); for armv7em the unpacked patches and filter
 * constants of ad_conv2d_s8 (40*ceil(K/4) + 40*out_c bytes, K = k_h*k_w*in_c) and the unpacked
 * input of ad_linear_s8 (2*in bytes), 0 for its other kernels (Armv7emInt8Scratch); 0 and NULL for
 * the portable kernels, which never use it. An implementation given less than it needs runs the
 * portable code instead, so a wrong plan costs speed, never memory. Outputs never alias inputs. */

/* Requantisation as TFLite/CMSIS-NN: per output channel, multiplier (Q31) and shift (>0 left). */
typedef struct {
    const int8_t  *weight;      /* conv: [out_c, k_h, k_w, in_c] (OHWI); depthwise: [k_h, k_w, out_c], out_c = in_c*ch_mult */
    const int32_t *bias;        /* [out_c] or NULL */
    const int32_t *multiplier;  /* [out_c] */
    const int32_t *shift;       /* [out_c] */
    int32_t input_offset;       /* minus the input zero point, in [-127, 128] */
    int32_t output_offset;      /* the output zero point, in [-128, 127] */
    int32_t act_min, act_max;   /* output clamp within [-128, 127] */
    uint32_t scratch_bytes;     /* bytes at `scratch` (planned by the engine; 0 for portable) */
    uint16_t batch, in_h, in_w, in_c, out_h, out_w, out_c;
    uint16_t k_h, k_w, stride_h, stride_w, pad_top, pad_left; /* "same" padding: the odd extra row/column is at bottom/right (TF) */
    uint16_t ch_mult;           /* depthwise only; 1 for conv */
} ad_conv_s8_t;

/* 2-D convolution.  x [B,in_h,in_w,in_c] NHWC, weight [out_c,k_h,k_w,in_c] (OHWI),
 * y [B,out_h,out_w,out_c]. Output (oh,ow) reads input rows oh*stride_h + kh - pad_top and columns
 * ow*stride_w + kw - pad_left; taps outside the input contribute nothing (they read the zero
 * point). Scratch: CMSIS-NN's arm_convolve_wrapper_s8_get_buffer_size (im2col columns; 0 for 1x1
 * kernels without padding), arm_convolve_s8_get_buffer_size for the one-row convolutions whose
 * Helium 1xN kernel the cmsis implementation avoids (CmsisNnScratch.OneByNMveIsWrong). */
void ad_conv2d_s8(const ad_conv_s8_t *p, const int8_t *x, int8_t *y, void *scratch);

/* Depthwise convolution: output channel o = c*ch_mult + m reads input channel c only.
 * x [B,in_h,in_w,in_c], weight [k_h,k_w,out_c] (out_c = in_c*ch_mult), y [B,out_h,out_w,out_c];
 * geometry as ad_conv2d_s8. Scratch: CMSIS-NN's arm_depthwise_conv_wrapper_s8_get_buffer_size
 * (0 on DSP cores for batch > 1, ch_mult > 1 or 3x3 kernels with padding <= 1; 0 on Helium for
 * one input channel where the conv it would become is one the cmsis implementation avoids). */
void ad_depthwise_conv2d_s8(const ad_conv_s8_t *p, const int8_t *x, int8_t *y, void *scratch);

typedef struct {
    const int8_t *weight;       /* [units, in] */
    const int32_t *bias;        /* [units] or NULL */
    const int32_t *multiplier;  /* [units] */
    const int32_t *shift;       /* [units] */
    int32_t input_offset, output_offset, act_min, act_max;
    uint32_t scratch_bytes;
    uint32_t batch, in, units;
} ad_linear_s8_t;

/* Fully connected layer, per-channel requantisation.  x [B,in], weight [units,in], y [B,units].
 * Scratch: CMSIS-NN's arm_fully_connected_s8_get_buffer_size: 4*units bytes on Helium (the
 * kernel sums bias + input_offset * sum of each weight row, formed per call), 0 elsewhere. */
void ad_linear_s8(const ad_linear_s8_t *p, const int8_t *x, int8_t *y, void *scratch);

typedef struct {
    int32_t act_min, act_max;
    uint32_t scratch_bytes;
    uint16_t batch, in_h, in_w, channels, out_h, out_w, k_h, k_w, stride_h, stride_w, pad_top, pad_left;
} ad_pool_s8_t;

/* Pooling over the taps of each window inside the input (a window has at least one), clamped to
 * [act_min, act_max]; same scale and zero point in and out.  x [B,in_h,in_w,channels],
 * y [B,out_h,out_w,channels]; window (oh,ow) starts at row oh*stride_h - pad_top, column
 * ow*stride_w - pad_left.
 * Max: the largest tap. Scratch: none (arm_max_pool_s8).
 * Average: sum s of the n valid taps, rounded half away from zero: (s > 0 ? s + n/2 : s - n/2) / n
 * in C's truncating division (arm_avgpool_s8). Scratch: arm_avgpool_s8_get_buffer_size:
 * 4*channels bytes on DSP cores, 0 on Helium. */
void ad_maxpool2d_s8(const ad_pool_s8_t *p, const int8_t *x, int8_t *y, void *scratch);
void ad_avgpool2d_s8(const ad_pool_s8_t *p, const int8_t *x, int8_t *y, void *scratch);         /* same scale/zero point in and out; average over valid taps */

/* q = clamp(round_half_away(v) + zero_point, -128, 127), v = x*inv_scale computed in float and first limited to [-512, 512]
   with comparisons (if (!(v > -512.0f)) v = -512.0f; if (v > 512.0f) v = 512.0f;), so NaN and -inf give -128 and +inf 127
   deterministically, and the conversion to int never overflows; rounded with roundf.  x [n] float, y [n] int8. */
void ad_quantize_s8(const float *x, int8_t *y, uint32_t n, float inv_scale, int32_t zero_point);
/* y = (float)(x - zero_point) * scale.  x [n] int8, y [n] float. */
void ad_dequantize_s8(const int8_t *x, float *y, uint32_t n, float scale, int32_t zero_point);
/* y = min(max(x, lo), hi); may run in place */
void ad_clamp_s8(const int8_t *x, int8_t *y, uint32_t n, int32_t lo, int32_t hi);
/* (Reshapes of int8 tensors copy with ad_copy_s8 of shape.c.) */

/* ---- depthwise.c: depthwise 2-D convolution, NHWC activations ------------------------- */

/* Every depthwise kernel takes the same geometry: x [B,in_h,in_w,in_c], w [k_h,k_w,out_c]
 * (TFLite / CMSIS-NN depthwise layout without its leading 1), y [B,out_h,out_w,out_c] with
 * out_c = in_c * depth_multiplier; output channel o = c*depth_multiplier + m reads input channel
 * c only. Windows, strides and padding are those of the conv kernels above (same tap rule, same
 * "same" padding). */

/* y[b,oh,ow,o] = bias[o] + sum_{kh,kw} x[b,ih,iw,o/depth_multiplier] * w[kh,kw,o], the taps in
 * (kh, kw) order.  bias [out_c] or NULL. */
void ad_depthwise_conv2d_f32(const float *x, const float *w, const float *bias, float *y,
                             uint32_t batch, uint32_t in_h, uint32_t in_w, uint32_t in_c,
                             uint32_t out_h, uint32_t out_w, uint32_t depth_multiplier,
                             uint32_t k_h, uint32_t k_w, uint32_t stride_h, uint32_t stride_w,
                             uint32_t pad_top, uint32_t pad_left);

/* dx[b,ih,iw,c] = sum over the (oh,ow,kh,kw) reading x[b,ih,iw,c] and every m < depth_multiplier
 * of dy[b,oh,ow,c*depth_multiplier+m] * w[kh,kw,c*depth_multiplier+m].
 * dy [B,out_h,out_w,out_c], dx [B,in_h,in_w,in_c]. */
void ad_depthwise_conv2d_backward_input_f32(const float *dy, const float *w, float *dx,
                                            uint32_t batch, uint32_t in_h, uint32_t in_w, uint32_t in_c,
                                            uint32_t out_h, uint32_t out_w, uint32_t depth_multiplier,
                                            uint32_t k_h, uint32_t k_w, uint32_t stride_h, uint32_t stride_w,
                                            uint32_t pad_top, uint32_t pad_left);

/* One element of the weight gradient, k = (kh*k_w + kw)*out_c + o: returns
 * sum_{b,oh,ow} dy[b,oh,ow,o] * x[b,ih,iw,o/depth_multiplier] over the positions whose tap is
 * inside the input, in increasing (b, oh, ow) order. As for conv2d, the generated code applies
 * the optimizer to the value at once, so the weight gradient is never stored. */
float ad_depthwise_conv2d_backward_weight_element_f32(const float *dy, const float *x,
                                                      uint32_t batch, uint32_t in_h, uint32_t in_w, uint32_t in_c,
                                                      uint32_t out_h, uint32_t out_w, uint32_t depth_multiplier,
                                                      uint32_t k_h, uint32_t k_w, uint32_t stride_h, uint32_t stride_w,
                                                      uint32_t pad_top, uint32_t pad_left, uint32_t k);

/* (The bias gradient is ad_bias_backward_f32 with rows = B*out_h*out_w, channels = out_c.) */

/* ---- (new kernel families are added above this line, one section per family file) ---- */

#ifdef __cplusplus
}
#endif

#endif /* AUTODIFF_KERNELS_H */
