/* SPDX-License-Identifier: MIT */
/*
 * conv.c - 2-D convolution kernels for Helium (MVE, Cortex-M55/M85): forward, input gradient, and
 * the weight gradient one element at a time. Same functions and semantics as
 * kernels/portable/conv.c. Layouts: x [B,in_h,in_w,in_c] (NHWC), w [filters,k_h,k_w,in_c] (OHWI),
 * y [B,out_h,out_w,filters]; padding is implicit (taps outside the input read zero and are
 * skipped); scratch: none.
 *
 * Without MVE (a Cortex-M4F/M7 built with AutodiffKernels=cmsis) every function is the shared C of
 * kernels/portable/internal/conv_common.h, so those cores run exactly the portable kernels.
 *
 * Why our own MVE code rather than CMSIS-NN: CMSIS-NN's f32 convolutions want a scratch buffer
 * (im2col) for their fast paths, which the kernel ABI does not pass; arm_convolve_wrapper_f32
 * without ctx->buf takes a direct path that (for in_c = 1, our first layers) is a scalar loop much
 * like the portable one. CMSIS-NN has no weight gradient at all, and its input gradient
 * (arm_transpose_conv_wrapper_f32) wants the filter as [in_c][k_h][k_w][filters], i.e. a
 * transposed copy of our OHWI weights, which needs the memory we do not have. So the three
 * kernels are written with arm_mve.h intrinsics, reusing the tap-range helpers of conv_common.h
 * (for each output row or column the valid taps form one range, so no tap is tested):
 *  - forward, short runs (k_w * in_c < 8, e.g. in_c = 1 first layers) with stride_w = 1
 *    (ad_conv_fwd_cols): four adjacent output columns in the lanes; per tap one x load (contiguous
 *    for in_c = 1) feeds four filters' multiply-adds by scalar weight (VFMA Qd, Qn, Rm), the
 *    weights of four filters copied interleaved per tap onto the stack (one pointer, no spills);
 *    column groups are the outer loop, so edge predicates are made once per call; 4x4 blocks go
 *    out by scatters. Other short runs: four filters in the lanes, per tap one scalar x load, one
 *    gather of four weights and one VFMA by scalar. No horizontal sums (MVE has no float VADDV).
 *    Long runs (k_w * in_c >= 8) go across the run with contiguous loads, four filters sharing each
 *    input vector, and sum the lanes at the end.
 *  - input gradient: scatter form as in the portable kernel; per output position and kernel row,
 *    the run of (valid k_w) * in_c contiguous dx floats is updated a vector at a time, with the dy of
 *    four filters as scalars: one dx load and store per four weight loads and four multiply-adds.
 *  - weight gradient: the valid (oh, ow) rectangle goes in vector columns of four output columns
 *    (gathers of dy, filters apart, and x, stride_w * in_c apart), each walked down the rows for
 *    two samples at once (the second through offset vectors one sample on); a rectangle one vector
 *    wide (cols = 4) skips the column loop. Lanes are summed once at the end. Sums are in another
 *    order than the portable kernel's (lane-wise, then across lanes): results agree to float
 *    rounding.
 *
 * Measured (QEMU instruction counts, cortex-m55, gcc 12 -O2, kernels/cmsis/test/run.sh --bench),
 * conv_momentum's calls, MVE vs portable: forward (both layers) 32579 vs 69400 (72664 before the
 * four-column path); input gradient (conv2) 16039 vs 25143; all 36 + 288 weight-gradient elements
 * 73314 vs 201594 (was 99078). Whole training step (bench/insn-count/run.sh, conv_momentum):
 * 190011 vs 377836 portable. What mattered: gcc 12 spends four instructions on a VCTP in a loop
 * and one VPST per predicated instruction, so predicates are made once and only tails are
 * predicated (or avoided: a partial last vector moved back with its repeated lanes masked in a
 * merging VFMA); loop set-ups dominate short loops (count-down trip counts, pointers that walk
 * with the run, loops reordered so set-ups are per call or per column rather than per row); with
 * many live pointers gcc moves float loads to core registers through the stack, hence the
 * interleaved weight copy; extracting lanes goes through core registers, hence lane sums by
 * VREV64 + VADD or a transposing scatter. A weight-gradient element of conv2 (32 terms, 8 vectors)
 * still costs ~170 instructions, ~100 of them argument loads, k's decomposition, the valid
 * rectangle and pointer set-up.
 */
#include "autodiff_kernels.h"

#if defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 2)

#include <arm_mve.h>

#define AD_CONV_COMMON_HELPERS_ONLY 1 /* the tap-range helpers; the kernels are below */
#include "internal/conv_common.h"

/* The columns [*lo, *hi) whose window lies wholly inside the input along w. */
static void ad_conv_interior(uint32_t in_w, uint32_t out_w, uint32_t k_w, uint32_t stride_w, uint32_t pad_left,
                             uint32_t *lo, uint32_t *hi)
{
    uint32_t l = (pad_left + stride_w - 1u) / stride_w;
    uint32_t h = in_w + pad_left >= k_w ? (in_w + pad_left - k_w) / stride_w + 1u : 0u;
    if (h > out_w) h = out_w;
    if (l > h) l = h;
    *lo = l;
    *hi = h;
}

/* The sum of the four lanes. */
static inline float ad_lane_sum(float32x4_t v)
{
    /* lanes (0+1, 1+0, 2+3, 3+2) by one VREV64 and one VADD: gcc moves a lane out through a core
     * register, so two extractions instead of four */
    const float32x4_t t = vaddq_f32(v, vrev64q_f32(v));
    return vgetq_lane_f32(t, 0) + vgetq_lane_f32(t, 2);
}

/* One output position of every filter: y0[f] = bias[f] + sum_{r<rows, j<n} x0[r*xrow + j] *
 * w0[f*fstride + r*wrow + j]. x0, w0 point at the first valid tap; each valid kernel row is a run of
 * n contiguous floats in x and in w. Filters go four to a vector (lane l = filter f + l, gathered
 * fstride apart), the last group tail-predicated; each tap is one scalar x load, one gather and one
 * VFMA by scalar. Scratch: none. */
static void ad_conv_fwd_lanes(const float *x0, const float *w0, const float *bias, float *y0,
                              uint32_t filters, uint32_t rows, uint32_t n, size_t xrow, size_t wrow, size_t fstride)
{
    const uint32x4_t woff = vmulq_n_u32(vidupq_n_u32(0u, 1), (uint32_t)fstride);
    for (uint32_t f = 0; f < filters; f += 4u) {
        const mve_pred16_t p = vctp32q(filters - f);
        float32x4_t acc = bias ? vldrwq_z_f32(bias + f, p) : vdupq_n_f32(0.0f);
        const float *xr = x0, *wr = w0 + f * fstride;
        if (filters - f >= 4u) { /* a whole group: no VPST per gather */
            for (uint32_t r = 0; r < rows; ++r, xr += xrow, wr += wrow)
                for (uint32_t j = 0; j < n; ++j)
                    acc = vfmaq_n_f32(acc, vldrwq_gather_shifted_offset_f32(wr + j, woff), xr[j]);
        } else {
            for (uint32_t r = 0; r < rows; ++r, xr += xrow, wr += wrow)
                for (uint32_t j = 0; j < n; ++j)
                    acc = vfmaq_n_f32(acc, vldrwq_gather_shifted_offset_z_f32(wr + j, woff, p), xr[j]);
        }
        vstrwq_p_f32(y0 + f, acc, p);
    }
}

/* The same sums for long runs (n >= 8): vectors go along the run (contiguous in x and w, the last
 * one tail-predicated), one x vector feeding four filters; each filter's lanes are summed at the
 * end and the bias added. Scratch: none. */
static void ad_conv_fwd_runs(const float *x0, const float *w0, const float *bias, float *y0,
                             uint32_t filters, uint32_t rows, uint32_t n, size_t xrow, size_t wrow, size_t fstride)
{
    const uint32_t full = n & ~3u, nv = n / 4u;   /* whole vectors of a run, then a predicated tail */
    const mve_pred16_t tail = vctp32q(n - full);
    const uint32x4_t toff = vmulq_n_u32(vidupq_n_u32(0u, 1), 4u); /* a column of a 4x4 block */
    uint32_t f = 0;
    for (; f + 4u <= filters; f += 4u) {
        float32x4_t a0 = vdupq_n_f32(0.0f), a1 = a0, a2 = a0, a3 = a0;
        const float *xr = x0, *wr = w0 + f * fstride;
        for (uint32_t r = 0; r < rows; ++r, xr += xrow, wr += wrow) {
            uint32_t j = 0;
            /* four weight pointers walking with the run (post-incremented loads, no address adds) */
            const float *wa = wr, *wb = wr + fstride, *wc = wr + 2u * fstride, *wd = wr + 3u * fstride;
            for (uint32_t v = nv; v != 0u; --v, j += 4u, wa += 4, wb += 4, wc += 4, wd += 4) {
                const float32x4_t u = vld1q_f32(xr + j);
                a0 = vfmaq_f32(a0, u, vld1q_f32(wa));
                a1 = vfmaq_f32(a1, u, vld1q_f32(wb));
                a2 = vfmaq_f32(a2, u, vld1q_f32(wc));
                a3 = vfmaq_f32(a3, u, vld1q_f32(wd));
            }
            if (j < n) {
                const float32x4_t u = vldrwq_z_f32(xr + j, tail);
                a0 = vfmaq_f32(a0, u, vldrwq_z_f32(wr + j, tail));
                a1 = vfmaq_f32(a1, u, vldrwq_z_f32(wr + fstride + j, tail));
                a2 = vfmaq_f32(a2, u, vldrwq_z_f32(wr + 2u * fstride + j, tail));
                a3 = vfmaq_f32(a3, u, vldrwq_z_f32(wr + 3u * fstride + j, tail));
            }
        }
        /* The four lane sums at once: the accumulators go transposed into t (t[4i + j] = lane i of
         * filter j's accumulator, one scatter each), whose four rows then add to the four sums
         * (MVE has no 32-bit lane shuffles and gcc moves each extracted lane through a core
         * register; this is 14 instructions instead of about 32). */
        float t[16];
        vstrwq_scatter_shifted_offset_f32(t, toff, a0);
        vstrwq_scatter_shifted_offset_f32(t + 1, toff, a1);
        vstrwq_scatter_shifted_offset_f32(t + 2, toff, a2);
        vstrwq_scatter_shifted_offset_f32(t + 3, toff, a3);
        float32x4_t sum = vaddq_f32(vaddq_f32(vld1q_f32(t), vld1q_f32(t + 4)), vaddq_f32(vld1q_f32(t + 8), vld1q_f32(t + 12)));
        if (bias) sum = vaddq_f32(vld1q_f32(bias + f), sum);
        vst1q_f32(y0 + f, sum);
    }
    for (; f < filters; ++f) {
        float32x4_t a = vdupq_n_f32(0.0f);
        const float *xr = x0, *wr = w0 + f * fstride;
        for (uint32_t r = 0; r < rows; ++r, xr += xrow, wr += wrow)
            for (uint32_t j = 0; j < n; j += 4u) {
                const mve_pred16_t p = vctp32q(n - j);
                a = vfmaq_f32(a, vldrwq_z_f32(xr + j, p), vldrwq_z_f32(wr + j, p));
            }
        y0[f] = (bias ? bias[f] : 0.0f) + ad_lane_sum(a);
    }
}

#define AD_COLS_MAX_TAPS 16u /* ad_conv_fwd_cols keeps a filter group's weights on the stack */

/* The whole forward for stride_w = 1 and short runs (k_w * in_c < 8, e.g. in_c = 1), where one
 * position's taps are too few to amortise a per-position set-up: four horizontally adjacent output
 * positions o..o+3 go in the four lanes, so per tap one load of x (contiguous when in_c = 1, else a
 * gather in_c apart) feeds four filters' multiply-adds by a scalar weight (VFMA Qd, Qn, Rm): a
 * load per four multiply-adds, no horizontal sums. The column groups are the outer loop, so their
 * set-up is paid once per call rather than per output row: a group is `interior` when every tap
 * of its four windows lies inside the input along w (lo, hi from ad_conv_interior); otherwise the
 * lanes inside the input for each kernel column are a predicate made here, and the other lanes
 * read nothing and add nothing. A last partial group is moved back to end at out_w and recomputes
 * a few positions (same values) instead of being predicated. Filters go in fours; a last group of
 * fewer repeats its last filter in the unused accumulators, which are not stored. The 4x4 block
 * (positions x filters) goes out by one scatter per filter (as many instructions as a VST4, and
 * no constraint on the registers). Sums start at the bias, taps in (kh, kw, c) order.
 * x [B,in_h,in_w,in_c], w [filters,k_h,k_w,in_c], y [B,out_h,out_w,filters]; needs out_w >= 4
 * and k_h * k_w * in_c <= AD_COLS_MAX_TAPS; scratch: none (a 256-byte local copy of four filters'
 * weights, interleaved per tap, so each tap's four weights are adjacent loads from one pointer). */
__attribute__((noinline)) static void ad_conv_fwd_cols(const float *x, const float *w, const float *bias, float *y,
                             uint32_t batch, uint32_t in_h, uint32_t in_w, uint32_t in_c,
                             uint32_t out_h, uint32_t out_w, uint32_t filters, uint32_t k_h, uint32_t k_w,
                             uint32_t stride_h, uint32_t pad_top, uint32_t pad_left, uint32_t lo, uint32_t hi)
{
    const size_t fstride = (size_t)k_h * k_w * in_c, xrow = (size_t)in_w * in_c;
    const size_t yrow = (size_t)out_w * filters;
    const uint32_t n = k_w * in_c, rows_all = batch * out_h;
    const uint32x4_t yoff = vmulq_n_u32(vidupq_n_u32(0u, 1), filters);
    for (uint32_t g = 0; g < out_w; g += 4u) {
        const uint32_t o = g + 4u <= out_w ? g : out_w - 4u;
        const int32_t iw0 = (int32_t)o - (int32_t)pad_left;
        const int interior = o >= lo && o + 4u <= hi;
        /* x[row, o + l + kw - pad_left, c] is at xr + t + xoff[l] for tap t = kw * in_c + c */
        const uint32x4_t xoff = vmulq_n_u32(vidupq_n_u32((uint32_t)iw0, 1), in_c); /* lanes < 0 only masked */
        mve_pred16_t pk[8];                 /* per tap t, the lanes inside the input (n < 8) */
        uint32_t ta = 0u, tb = n;           /* the taps with any lane inside */
        if (!interior) {
            const int32x4_t iw = vreinterpretq_s32_u32(vidupq_n_u32((uint32_t)iw0, 1));
            ta = n;
            tb = 0u;
            for (uint32_t kw = 0; kw < k_w; ++kw) {
                const int32x4_t ik = vaddq_n_s32(iw, (int32_t)kw);
                const mve_pred16_t p = vcmpltq_m_n_s32(ik, (int32_t)in_w, vcmpgeq_n_s32(ik, 0));
                for (uint32_t c = 0; c < in_c; ++c) pk[kw * in_c + c] = p;
                if (p) {
                    if (ta == n) ta = kw * in_c;
                    tb = (kw + 1u) * in_c;
                }
            }
            if (tb == 0u) ta = 0u;
        }
        for (uint32_t f = 0; f < filters; f += 4u) {
            const uint32_t nf = filters - f < 4u ? filters - f : 4u;
            const uint32_t f1 = nf > 1u ? f + 1u : f, f2 = nf > 2u ? f + 2u : f1, f3 = nf > 3u ? f + 3u : f2;
            /* the four filters' weights interleaved per tap (wt[4s + j], tap s = kh * n + t): one
             * pointer and adjacent loads instead of four pointers, which spilled */
            float wt[4u * AD_COLS_MAX_TAPS];
            {
                const float *const w0 = w + f * fstride, *const w1 = w + f1 * fstride;
                const float *const w2 = w + f2 * fstride, *const w3 = w + f3 * fstride;
                for (uint32_t t = 0; t < k_h * n; ++t) {
                    wt[4u * t] = w0[t];
                    wt[4u * t + 1u] = w1[t];
                    wt[4u * t + 2u] = w2[t];
                    wt[4u * t + 3u] = w3[t];
                }
            }
            const float b0 = bias ? bias[f] : 0.0f, b1 = bias ? bias[f1] : 0.0f;
            const float b2 = bias ? bias[f2] : 0.0f, b3 = bias ? bias[f3] : 0.0f;
            float *yt = y + (size_t)o * filters + f;
            uint32_t oh = 0u;
            const float *xb = x;               /* sample b's input */
            for (uint32_t i = 0; i < rows_all; ++i, yt += yrow) {
                uint32_t kh0, kh1;
                ad_conv_taps(oh, stride_h, pad_top, in_h, k_h, &kh0, &kh1);
                const float *xr = xb + (size_t)(oh * stride_h + kh0 - pad_top) * xrow;
                const float *pw = wt + 4u * kh0 * n;
                float32x4_t a0 = vdupq_n_f32(b0), a1 = vdupq_n_f32(b1), a2 = vdupq_n_f32(b2), a3 = vdupq_n_f32(b3);
#define AD_FWD_TAP(U, T)                                   \
    do {                                                   \
        const float32x4_t u_ = (U);                        \
        a0 = vfmaq_n_f32(a0, u_, pw[4u * (T)]);            \
        a1 = vfmaq_n_f32(a1, u_, pw[4u * (T) + 1u]);       \
        a2 = vfmaq_n_f32(a2, u_, pw[4u * (T) + 2u]);       \
        a3 = vfmaq_n_f32(a3, u_, pw[4u * (T) + 3u]);       \
    } while (0)
                /* Three taps a kernel row (3x3 kernels on one channel, the usual first layer) are
                 * unrolled, so the loop over the kernel rows is the innermost, without a per-row
                 * loop set-up. */
                if (interior && in_c == 1u && n == 3u) {
                    const float *xc = xr + iw0;
                    for (uint32_t r = kh0; r < kh1; ++r, xc += xrow, pw += 4u * n) {
                        AD_FWD_TAP(vld1q_f32(xc), 0);
                        AD_FWD_TAP(vld1q_f32(xc + 1), 1);
                        AD_FWD_TAP(vld1q_f32(xc + 2), 2);
                    }
                } else if (!interior && n == 3u && ta == 0u && tb == 3u) {
                    const mve_pred16_t q0 = pk[0], q1 = pk[1], q2 = pk[2];
                    for (uint32_t r = kh0; r < kh1; ++r, xr += xrow, pw += 4u * n) {
                        AD_FWD_TAP(vldrwq_gather_shifted_offset_z_f32(xr, xoff, q0), 0);
                        AD_FWD_TAP(vldrwq_gather_shifted_offset_z_f32(xr + 1, xoff, q1), 1);
                        AD_FWD_TAP(vldrwq_gather_shifted_offset_z_f32(xr + 2, xoff, q2), 2);
                    }
                } else if (interior && in_c == 1u) {
                    const float *xc = xr + iw0;
                    for (uint32_t r = kh0; r < kh1; ++r, xc += xrow, pw += 4u * n)
                        for (uint32_t t = 0; t < n; ++t)
                            AD_FWD_TAP(vld1q_f32(xc + t), t);
                } else if (interior) {
                    for (uint32_t r = kh0; r < kh1; ++r, xr += xrow, pw += 4u * n)
                        for (uint32_t t = 0; t < n; ++t)
                            AD_FWD_TAP(vldrwq_gather_shifted_offset_f32(xr + t, xoff), t);
                } else {
                    for (uint32_t r = kh0; r < kh1; ++r, xr += xrow, pw += 4u * n)
                        for (uint32_t t = ta; t < tb; ++t)
                            AD_FWD_TAP(vldrwq_gather_shifted_offset_z_f32(xr + t, xoff, pk[t]), t);
                }
#undef AD_FWD_TAP
                vstrwq_scatter_shifted_offset_f32(yt, yoff, a0);
                if (nf > 1u) vstrwq_scatter_shifted_offset_f32(yt + 1, yoff, a1);
                if (nf > 2u) vstrwq_scatter_shifted_offset_f32(yt + 2, yoff, a2);
                if (nf > 3u) vstrwq_scatter_shifted_offset_f32(yt + 3, yoff, a3);
                if (++oh == out_h) {
                    oh = 0u;
                    xb += (size_t)in_h * xrow;
                }
            }
        }
    }
}

/* y[b,oh,ow,f] = bias[f] + sum_{kh,kw,c} x[b,ih,iw,c] * w[f,kh,kw,c]   (bias may be NULL)
 * x [B,in_h,in_w,in_c], w [filters,k_h,k_w,in_c], y [B,out_h,out_w,filters]; scratch: none.
 * MVE: per output row the kernel-row range, per column the kernel-column range (interior columns
 * without a search); each position's valid taps are rows of one contiguous run, summed by
 * ad_conv_fwd_lanes (runs under 8 floats) or ad_conv_fwd_runs. */
void ad_conv2d_f32(const float *x, const float *w, const float *bias, float *y,
                   uint32_t batch, uint32_t in_h, uint32_t in_w, uint32_t in_c,
                   uint32_t out_h, uint32_t out_w, uint32_t filters,
                   uint32_t k_h, uint32_t k_w, uint32_t stride_h, uint32_t stride_w,
                   uint32_t pad_top, uint32_t pad_left)
{
    const size_t fstride = (size_t)k_h * k_w * in_c, wrow = (size_t)k_w * in_c, xrow = (size_t)in_w * in_c;
    uint32_t lo, hi;
    ad_conv_interior(in_w, out_w, k_w, stride_w, pad_left, &lo, &hi);
    /* short runs with stride_w 1: four adjacent columns per pass (ad_conv_fwd_cols) */
    if (stride_w == 1u && out_w >= 4u && k_w * in_c < 8u && k_h * k_w * in_c <= AD_COLS_MAX_TAPS) {
        ad_conv_fwd_cols(x, w, bias, y, batch, in_h, in_w, in_c, out_h, out_w, filters, k_h, k_w,
                         stride_h, pad_top, pad_left, lo, hi);
        return;
    }
    for (uint32_t b = 0; b < batch; ++b)
        for (uint32_t oh = 0; oh < out_h; ++oh) {
            uint32_t kh0, kh1;
            ad_conv_taps(oh, stride_h, pad_top, in_h, k_h, &kh0, &kh1);
            float *yr = y + ((size_t)b * out_h + oh) * out_w * filters;
            /* A window wholly in the padding (rows == 0 or no column) yields the bias alone. */
            const uint32_t rows = kh1 - kh0;
            const float *xr = x + ((size_t)b * in_h + (oh * stride_h + kh0 - pad_top)) * xrow; /* input row kh0 */
            const float *wr = w + (size_t)kh0 * wrow;
            for (uint32_t ow = 0; ow < out_w; ++ow) {
                uint32_t kw0 = 0u, kw1 = k_w;
                if (ow < lo || ow >= hi) ad_conv_taps(ow, stride_w, pad_left, in_w, k_w, &kw0, &kw1);
                const uint32_t n = rows ? (kw1 - kw0) * in_c : 0u;
                const float *x0 = xr + ((size_t)ow * stride_w + kw0 - pad_left) * in_c;
                if (n >= 8u)
                    ad_conv_fwd_runs(x0, wr + (size_t)kw0 * in_c, bias, yr + (size_t)ow * filters,
                                     filters, rows, n, xrow, wrow, fstride);
                else
                    ad_conv_fwd_lanes(x0, wr + (size_t)kw0 * in_c, bias, yr + (size_t)ow * filters,
                                      filters, rows, n, xrow, wrow, fstride);
            }
        }
}


/* Adds dy * w of one output position into its input window: dx0[r*xrow + j] +=
 * sum_f dy0[f] * w0[f*fstride + r*wrow + j] for r < rows, j < n (dx0, w0 at the first valid tap).
 * Vectors go along the run, the last tail-predicated; filters go in fours with their dy in core
 * registers (VFMA by scalar), so each dx vector is loaded and stored once per four filters; the
 * filters % 4 left over go one at a time. Scratch: none. */
static void ad_conv_dx_mve(float *dx0, const float *w0, const float *dy0,
                           uint32_t filters, uint32_t rows, uint32_t n, size_t xrow, size_t wrow, size_t fstride)
{
    const uint32_t full = n & ~3u, nv = n / 4u;   /* whole vectors of a run, then a predicated tail */
    const mve_pred16_t tail = vctp32q(n - full);
    uint32_t f = 0;
    for (; f + 4u <= filters; f += 4u) {
        const float d0 = dy0[f], d1 = dy0[f + 1u], d2 = dy0[f + 2u], d3 = dy0[f + 3u];
        float *dr = dx0;
        const float *wr = w0 + f * fstride;
        for (uint32_t r = 0; r < rows; ++r, dr += xrow, wr += wrow) {
            uint32_t j = 0;
            /* four weight pointers walking with the run (post-incremented loads, no address adds) */
            const float *wa = wr, *wb = wr + fstride, *wc = wr + 2u * fstride, *wd = wr + 3u * fstride;
            for (uint32_t v = nv; v != 0u; --v, j += 4u, wa += 4, wb += 4, wc += 4, wd += 4) {
                float32x4_t a = vld1q_f32(dr + j);
                a = vfmaq_n_f32(a, vld1q_f32(wa), d0);
                a = vfmaq_n_f32(a, vld1q_f32(wb), d1);
                a = vfmaq_n_f32(a, vld1q_f32(wc), d2);
                a = vfmaq_n_f32(a, vld1q_f32(wd), d3);
                vst1q_f32(dr + j, a);
            }
            if (j < n) {
                float32x4_t a = vldrwq_z_f32(dr + j, tail);
                a = vfmaq_n_f32(a, vldrwq_z_f32(wr + j, tail), d0);
                a = vfmaq_n_f32(a, vldrwq_z_f32(wr + fstride + j, tail), d1);
                a = vfmaq_n_f32(a, vldrwq_z_f32(wr + 2u * fstride + j, tail), d2);
                a = vfmaq_n_f32(a, vldrwq_z_f32(wr + 3u * fstride + j, tail), d3);
                vstrwq_p_f32(dr + j, a, tail);
            }
        }
    }
    for (; f < filters; ++f) {
        const float d = dy0[f];
        float *dr = dx0;
        const float *wr = w0 + f * fstride;
        for (uint32_t r = 0; r < rows; ++r, dr += xrow, wr += wrow)
            for (uint32_t j = 0; j < n; j += 4u) {
                const mve_pred16_t p = vctp32q(n - j);
                vstrwq_p_f32(dr + j, vfmaq_n_f32(vldrwq_z_f32(dr + j, p), vldrwq_z_f32(wr + j, p), d), p);
            }
    }
}

/* dx[b,ih,iw,c] = sum over the (oh,ow,kh,kw) reading x[b,ih,iw,c] and every f of
 * dy[b,oh,ow,f] * w[f,kh,kw,c].  dy [B,out_h,out_w,filters], w [filters,k_h,k_w,in_c],
 * dx [B,in_h,in_w,in_c]; scratch: none.
 * MVE: scatter form as in the portable kernel: dx is cleared, then every output position adds
 * dy * w into the input window it read, over exactly the taps the forward pass used
 * (ad_conv_dx_mve per position). */
void ad_conv2d_backward_input_f32(const float *dy, const float *w, float *dx,
                                  uint32_t batch, uint32_t in_h, uint32_t in_w, uint32_t in_c,
                                  uint32_t out_h, uint32_t out_w, uint32_t filters,
                                  uint32_t k_h, uint32_t k_w, uint32_t stride_h, uint32_t stride_w,
                                  uint32_t pad_top, uint32_t pad_left)
{
    const size_t fstride = (size_t)k_h * k_w * in_c, wrow = (size_t)k_w * in_c, xrow = (size_t)in_w * in_c;
    uint32_t lo, hi;
    ad_conv_interior(in_w, out_w, k_w, stride_w, pad_left, &lo, &hi);
    memset(dx, 0, (size_t)batch * in_h * xrow * sizeof(float));
    for (uint32_t b = 0; b < batch; ++b)
        for (uint32_t oh = 0; oh < out_h; ++oh) {
            uint32_t kh0, kh1;
            ad_conv_taps(oh, stride_h, pad_top, in_h, k_h, &kh0, &kh1);
            if (kh0 == kh1) continue;
            float *dxr = dx + ((size_t)b * in_h + (oh * stride_h + kh0 - pad_top)) * xrow; /* input row kh0 */
            const float *wr = w + (size_t)kh0 * wrow;
            const float *dyr = dy + ((size_t)b * out_h + oh) * out_w * filters;
            for (uint32_t ow = 0; ow < out_w; ++ow) {
                uint32_t kw0 = 0u, kw1 = k_w;
                if (ow < lo || ow >= hi) ad_conv_taps(ow, stride_w, pad_left, in_w, k_w, &kw0, &kw1);
                if (kw0 == kw1) continue;
                ad_conv_dx_mve(dxr + ((size_t)ow * stride_w + kw0 - pad_left) * in_c, wr + (size_t)kw0 * in_c,
                               dyr + (size_t)ow * filters, filters, kh1 - kh0, (kw1 - kw0) * in_c, xrow, wrow, fstride);
            }
        }
}

/* One vector column of a weight-gradient sum: adds to the lanes of acc (and *acc2) the products
 * dy[p0 + b*pbatch + r*prow + poff[l]] * x[q0 + b*qbatch + r*qrow + qoff[l]] over every sample b
 * and row r < rows. Samples go in pairs, the second through offset vectors one sample further on
 * (poff2, qoff2), so one loop over the rows serves both: four gathers and two multiply-adds per
 * iteration and half the loop set-ups; an odd last sample goes alone. Scratch: none. */
static inline float32x4_t ad_wg_column(float32x4_t acc, float32x4_t *acc2, const float *p0, const float *q0,
                                       uint32x4_t poff, uint32x4_t qoff, uint32x4_t poff2, uint32x4_t qoff2,
                                       uint32_t batch, uint32_t rows, size_t prow, size_t qrow,
                                       size_t pbatch, size_t qbatch)
{
    float32x4_t a2 = *acc2;
    if (batch & 1u) { /* first, so that no pointer is carried out of the pair loop */
        const float *p = p0, *q = q0;
        for (uint32_t r = 0; r < rows; ++r, p += prow, q += qrow)
            acc = vfmaq_f32(acc, vldrwq_gather_shifted_offset_f32(p, poff), vldrwq_gather_shifted_offset_f32(q, qoff));
        p0 += pbatch;
        q0 += qbatch;
    }
    for (uint32_t b = batch / 2u; b != 0u; --b, p0 += 2u * pbatch, q0 += 2u * qbatch) {
        const float *p = p0, *q = q0;
        for (uint32_t r = 0; r < rows; ++r, p += prow, q += qrow) {
            acc = vfmaq_f32(acc, vldrwq_gather_shifted_offset_f32(p, poff), vldrwq_gather_shifted_offset_f32(q, qoff));
            a2 = vfmaq_f32(a2, vldrwq_gather_shifted_offset_f32(p, poff2), vldrwq_gather_shifted_offset_f32(q, qoff2));
        }
    }
    *acc2 = a2;
    return acc;
}

/* One element k = ((f*k_h + kh)*k_w + kw)*in_c + c of the weight gradient:
 * sum_{b,oh,ow} dy[b,oh,ow,f] * x[b,ih,iw,c] over the positions whose tap is inside the input.
 * dy [B,out_h,out_w,filters], x [B,in_h,in_w,in_c]; scratch: none; no state across calls.
 * MVE: the valid (oh, ow) rectangle as in the portable kernel; each of its rows (per sample) is
 * one tail-predicated pass of four-lane gathers of dy (filters apart) and x (stride_w * in_c
 * apart) into one vector accumulator, whose lanes are summed at the end, so the terms are added
 * in another order than the portable kernel's (in increasing (b, oh, ow) per lane). */
float ad_conv2d_backward_weight_element_f32(const float *dy, const float *x,
                                            uint32_t batch, uint32_t in_h, uint32_t in_w, uint32_t in_c,
                                            uint32_t out_h, uint32_t out_w, uint32_t filters,
                                            uint32_t k_h, uint32_t k_w, uint32_t stride_h, uint32_t stride_w,
                                            uint32_t pad_top, uint32_t pad_left, uint32_t k)
{
    uint32_t c = 0u, t = k;
    if (in_c != 1u) {
        c = k % in_c;
        t = k / in_c;
    }
    const uint32_t kw = t % k_w;
    t /= k_w;
    const uint32_t kh = t % k_h;
    const uint32_t f = t / k_h;
    uint32_t oh0, oh1, ow0, ow1;
    ad_conv_tap_outputs(in_h, out_h, stride_h, pad_top, kh, &oh0, &oh1);
    ad_conv_tap_outputs(in_w, out_w, stride_w, pad_left, kw, &ow0, &ow1);
    if (oh0 == oh1 || ow0 == ow1) return 0.0f;
    const uint32_t rows = oh1 - oh0, cols = ow1 - ow0;
    const float *pc = dy + ((size_t)oh0 * out_w + ow0) * filters + f;
    const float *qc = x + (((size_t)(oh0 * stride_h + kh - pad_top) * in_w + (ow0 * stride_w + kw - pad_left)) * in_c + c);
    const uint32x4_t lane = vidupq_n_u32(0u, 1);
    /* The strides and offset vectors are formed after the branch on cols, in each path, so that
     * gcc does not keep them (spilled) across it. */
    if (cols == 4u || (cols == out_w && stride_h * in_w == out_w * stride_w && (rows * cols) % 4u == 0u)) {
        /* One whole vector column (conv2 of conv_momentum, every valid 4-wide layer): no column
         * loop, so the loops keep their state in registers. A rectangle of whole rows whose rows
         * follow each other at the column strides in both dy and x (stride 1, same padding, the
         * middle kernel column) is one run of rows * cols terms: as rows of four it takes this
         * path too. */
        const int run = cols != 4u;                          /* the rows as one run */
        const size_t prow = run ? (size_t)4u * filters : (size_t)out_w * filters; /* next vector */
        const size_t qrow = run ? (size_t)4u * stride_w * in_c : (size_t)stride_h * in_w * in_c;
        const uint32_t vrows = run ? rows * cols / 4u : rows;
        const size_t pbatch = (size_t)out_h * out_w * filters, qbatch = (size_t)in_h * in_w * in_c;
        const uint32x4_t poff = vmulq_n_u32(lane, filters), qoff = vmulq_n_u32(lane, stride_w * in_c);
        const uint32x4_t poff2 = vaddq_n_u32(poff, (uint32_t)pbatch), qoff2 = vaddq_n_u32(qoff, (uint32_t)qbatch);
        float32x4_t acc2 = vdupq_n_f32(0.0f);
        const float32x4_t acc = ad_wg_column(vdupq_n_f32(0.0f), &acc2, pc, qc, poff, qoff, poff2, qoff2,
                                             batch, vrows, prow, qrow, pbatch, qbatch);
        return ad_lane_sum(vaddq_f32(acc, acc2));
    }
    const size_t prow = (size_t)out_w * filters, qrow = (size_t)stride_h * in_w * in_c; /* one row on */
    const size_t pbatch = (size_t)out_h * prow, qbatch = (size_t)in_h * in_w * in_c;      /* one sample on */
    const uint32x4_t poff = vmulq_n_u32(lane, filters), qoff = vmulq_n_u32(lane, stride_w * in_c);
    const size_t pstep = 4u * (size_t)filters, qstep = 4u * (size_t)stride_w * in_c; /* one vector column on */
    /* Vector columns outermost, then samples, then rows: the innermost loop is two gathers and a
     * multiply-add per four terms, and its set-up (per sample) is a few instructions; the full
     * columns need no predicate, the tail's is made once (with gcc 12 a VCTP in a loop costs four
     * instructions). Zeroing tail gathers make the unused lanes add 0 * 0. */
    const uint32x4_t poff2 = vaddq_n_u32(poff, (uint32_t)pbatch), qoff2 = vaddq_n_u32(qoff, (uint32_t)qbatch);
    float32x4_t acc = vdupq_n_f32(0.0f), acc2 = acc;
    uint32_t i = cols;
    for (; i >= 4u; i -= 4u, pc += pstep, qc += qstep)
        acc = ad_wg_column(acc, &acc2, pc, qc, poff, qoff, poff2, qoff2, batch, rows, prow, qrow, pbatch, qbatch);
    if (i && cols > 4u) {
        /* The last i columns as a whole vector moved back to end at the last column (all four
         * positions inside the rectangle, so plain gathers), its first 4 - i lanes, already
         * summed, masked off in the multiply-add (merging VFMA): no predicated gathers. */
        const mve_pred16_t keep = (mve_pred16_t)~vctp32q(4u - i);
        pc -= (4u - i) * (size_t)filters;
        qc -= (4u - i) * (size_t)stride_w * in_c;
        uint32_t b = batch;
        for (; b >= 2u; b -= 2u, pc += 2u * pbatch, qc += 2u * qbatch) {
            const float *p = pc, *q = qc;
            for (uint32_t r = 0; r < rows; ++r, p += prow, q += qrow) {
                acc = vfmaq_m_f32(acc, vldrwq_gather_shifted_offset_f32(p, poff),
                                  vldrwq_gather_shifted_offset_f32(q, qoff), keep);
                acc2 = vfmaq_m_f32(acc2, vldrwq_gather_shifted_offset_f32(p, poff2),
                                   vldrwq_gather_shifted_offset_f32(q, qoff2), keep);
            }
        }
        if (b) {
            const float *p = pc, *q = qc;
            for (uint32_t r = 0; r < rows; ++r, p += prow, q += qrow)
                acc = vfmaq_m_f32(acc, vldrwq_gather_shifted_offset_f32(p, poff),
                                  vldrwq_gather_shifted_offset_f32(q, qoff), keep);
        }
    } else if (i) {
        const mve_pred16_t tail = vctp32q(i);
        uint32_t b = batch;
        for (; b >= 2u; b -= 2u, pc += 2u * pbatch, qc += 2u * qbatch) {
            const float *p = pc, *q = qc;
            for (uint32_t r = 0; r < rows; ++r, p += prow, q += qrow) {
                acc = vfmaq_f32(acc, vldrwq_gather_shifted_offset_z_f32(p, poff, tail),
                                vldrwq_gather_shifted_offset_z_f32(q, qoff, tail));
                acc2 = vfmaq_f32(acc2, vldrwq_gather_shifted_offset_z_f32(p, poff2, tail),
                                 vldrwq_gather_shifted_offset_z_f32(q, qoff2, tail));
            }
        }
        if (b) {
            const float *p = pc, *q = qc;
            for (uint32_t r = 0; r < rows; ++r, p += prow, q += qrow)
                acc = vfmaq_f32(acc, vldrwq_gather_shifted_offset_z_f32(p, poff, tail),
                                vldrwq_gather_shifted_offset_z_f32(q, qoff, tail));
        }
    }
    return ad_lane_sum(vaddq_f32(acc, acc2));
}

#else /* no MVE (Cortex-M4F, M7, M33): the portable kernels themselves */

#include "internal/conv_common.h"

#endif
