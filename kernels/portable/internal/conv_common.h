/* SPDX-License-Identifier: MIT */
/*
 * conv_common.h - the 2-D convolution kernels in C that every implementation of the conv family
 * shares (the portable kernels, and what kernels/cmsis/conv.c runs on cores without MVE): forward,
 * input gradient, and the weight gradient one element at a time (the generated code applies the
 * optimizer to each value as it is formed, so no gradient buffer exists).
 * Layouts: x [B,in_h,in_w,in_c] (NHWC), w [filters,k_h,k_w,in_c] (OHWI), y [B,out_h,out_w,filters].
 * Padding is implicit: taps falling outside the input read zero and are skipped.
 *
 * Shape of the loops (all three kernels):
 *  - No test per tap. For each output row (column) the taps that land inside the input form one
 *    range [t0, t1), found once per row (column) by ad_conv_taps; the padding never reaches the
 *    inner loops.
 *  - For one output position and one kernel row kh, the valid taps kw in [kw0, kw1) times the
 *    channels c are ONE contiguous run of (kw1 - kw0) * in_c floats both in x (NHWC: neighbouring
 *    columns are adjacent) and in w (OHWI), so the innermost loop walks two arrays with unit
 *    stride, however small in_c is (in_c = 1 gives runs of k_w instead of loops of one).
 *  - Forward and input gradient handle four filters per pass: one load of x (resp. one load and
 *    store of dx) feeds four fused multiply-adds (AD_FMA, one VFMA on Cortex-M4F). The interior
 *    columns (window wholly inside the input along w, found once per call) go in pairs, so each
 *    weight load serves two output positions: 6 loads per 8 multiply-adds in the forward. Edge
 *    columns and left-over filters (filters % 4) take the same code one at a time.
 *  - The weight gradient is one element per call (ABI), so its fixed cost is kept small and its
 *    sum stays a single in-order accumulation over a rectangle found without per-position tests.
 * No kernel uses scratch memory, the heap or static state.
 *
 * This header defines the external functions of the kernel ABI (ad_conv2d_f32,
 * ad_conv2d_backward_input_f32, ad_conv2d_backward_weight_element_f32): exactly one conv.c per
 * firmware includes it (kernels/portable/conv.c; kernels/cmsis/conv.c on cores without MVE), so
 * the portable build makes no forwarding call (with static inline kernels behind wrappers, gcc
 * inlined differently and the portable forward took 69400 -> 73168 instructions for
 * conv_momentum on cortex-m55). With AD_CONV_COMMON_HELPERS_ONLY defined it gives only the
 * tap-range helpers (ad_conv_taps, ad_conv_tap_outputs), which the MVE code uses.
 *
 * Measured on Cortex-M4F (QEMU instruction count, -O2) for conv_momentum's shapes, instructions
 * (estimated cycles), before -> after: forward 12x12x1 -> 12x12x4, 3x3 same: 285283 (391348) ->
 * 49337 (87785); forward 6x6x4 -> 4x4x8, 3x3 valid: 108629 (161878) -> 24647 (54203); its input
 * gradient: 122995 (188582) -> 25902 (57940); all 36 / 288 weight-gradient elements: 87728
 * (137894) -> 75856 (121570) and 141990 (219464) -> 124134 (198728).
 */
#ifndef AD_INTERNAL_CONV_COMMON_H
#define AD_INTERNAL_CONV_COMMON_H

#include <string.h>

#include "../autodiff_kernels.h"

/* The taps [*t0, *t1) of a k-tap kernel axis that land inside the input for output position o:
 * 0 <= o*stride + t - pad < in. Empty (t0 == t1) when the window lies wholly in the padding. */
static void ad_conv_taps(uint32_t o, uint32_t stride, uint32_t pad, uint32_t in, uint32_t k,
                         uint32_t *t0, uint32_t *t1)
{
    const uint32_t start = o * stride; /* input index of tap 0, plus pad */
    uint32_t hi = start >= in + pad ? 0u : in + pad - start;
    uint32_t lo = pad > start ? pad - start : 0u;
    if (hi > k) hi = k;
    if (lo > hi) lo = hi;
    *t0 = lo;
    *t1 = hi;
}

/* The output positions [*begin, *end) along one axis whose tap `tap` lands inside the input:
 * 0 <= o*stride + tap - pad < in. Empty when the kernel overhangs the input at that tap.
 * Stride 1 (the common case) needs no division. */
static void ad_conv_tap_outputs(uint32_t in, uint32_t out, uint32_t stride, uint32_t pad, uint32_t tap,
                                uint32_t *begin, uint32_t *end)
{
    uint32_t first, stop;
    if (in + pad <= tap) {
        first = stop = 0u;
    } else if (stride == 1u) {
        first = tap >= pad ? 0u : pad - tap;
        stop = in + pad - tap;
    } else {
        first = tap >= pad ? 0u : (pad - tap + stride - 1u) / stride;
        stop = (in + pad - tap - 1u) / stride + 1u;
    }
    if (stop > out) stop = out;
    if (first > stop) first = stop;
    *begin = first;
    *end = stop;
}

#ifndef AD_CONV_COMMON_HELPERS_ONLY /* the kernels themselves (the ABI's external functions) */

/* One output position (y0), or two horizontally adjacent ones with the same tap ranges (y0 and
 * y1 = y0 + filters, their inputs x1 = x0 + xnext), of every filter. x0 and w0 point at the first
 * valid tap (kernel row kh0, column kw0); each of the `rows` valid kernel rows is a run of n
 * contiguous floats in x (rows xrow apart) and in w (rows wrow apart, filters fstride apart).
 * Filters go in fours: one weight load feeds both positions and one input load feeds four
 * filters, so a pair costs 6 loads per 8 fused multiply-adds. The pointers run on from one kernel
 * row to the next (only the gap to the next row is added), and stop on the last tap. */
static void ad_conv_fwd_block(const float *x0, size_t xnext, const float *w0, const float *bias,
                              float *y0, int two, uint32_t filters, uint32_t rows, uint32_t n,
                              size_t xrow, size_t wrow, size_t fstride)
{
    const size_t xskip = xrow - n, wskip = wrow - n; /* end of one kernel row to the next */
    uint32_t f = 0;
    if (two) {
        for (; f + 4u <= filters; f += 4u) {
            float a0 = 0.0f, a1 = 0.0f, a2 = 0.0f, a3 = 0.0f;
            if (bias) { a0 = bias[f]; a1 = bias[f + 1u]; a2 = bias[f + 2u]; a3 = bias[f + 3u]; }
            float c0 = a0, c1 = a1, c2 = a2, c3 = a3;
            const float *xa = x0, *xb = x0 + xnext;
            const float *wa = w0 + f * fstride, *wb = wa + fstride, *wc = wb + fstride, *wd = wc + fstride;
            for (uint32_t r = rows;;) {
                for (uint32_t j = 0; j < n; ++j) {
                    const float u = *xa++, v = *xb++;
                    float t = *wa++;
                    a0 = AD_FMA(u, t, a0);
                    c0 = AD_FMA(v, t, c0);
                    t = *wb++;
                    a1 = AD_FMA(u, t, a1);
                    c1 = AD_FMA(v, t, c1);
                    t = *wc++;
                    a2 = AD_FMA(u, t, a2);
                    c2 = AD_FMA(v, t, c2);
                    t = *wd++;
                    a3 = AD_FMA(u, t, a3);
                    c3 = AD_FMA(v, t, c3);
                }
                if (--r == 0u) break;
                xa += xskip; xb += xskip;
                wa += wskip; wb += wskip; wc += wskip; wd += wskip;
            }
            y0[f] = a0; y0[f + 1u] = a1; y0[f + 2u] = a2; y0[f + 3u] = a3;
            y0[filters + f] = c0; y0[filters + f + 1u] = c1; y0[filters + f + 2u] = c2; y0[filters + f + 3u] = c3;
        }
        for (; f < filters; ++f) {
            float a = bias ? bias[f] : 0.0f, c = a;
            for (uint32_t r = 0; r < rows; ++r) {
                const float *xa = x0 + r * xrow, *xb = xa + xnext, *wa = w0 + f * fstride + r * wrow;
                for (uint32_t j = 0; j < n; ++j) {
                    a = AD_FMA(xa[j], wa[j], a);
                    c = AD_FMA(xb[j], wa[j], c);
                }
            }
            y0[f] = a;
            y0[filters + f] = c;
        }
        return;
    }
    for (; f + 4u <= filters; f += 4u) {
        float a0 = 0.0f, a1 = 0.0f, a2 = 0.0f, a3 = 0.0f;
        if (bias) { a0 = bias[f]; a1 = bias[f + 1u]; a2 = bias[f + 2u]; a3 = bias[f + 3u]; }
        const float *xa = x0;
        const float *wa = w0 + f * fstride, *wb = wa + fstride, *wc = wb + fstride, *wd = wc + fstride;
        for (uint32_t r = rows;;) {
            for (uint32_t j = 0; j < n; ++j) {
                const float u = *xa++;
                a0 = AD_FMA(u, *wa++, a0);
                a1 = AD_FMA(u, *wb++, a1);
                a2 = AD_FMA(u, *wc++, a2);
                a3 = AD_FMA(u, *wd++, a3);
            }
            if (--r == 0u) break;
            xa += xskip;
            wa += wskip; wb += wskip; wc += wskip; wd += wskip;
        }
        y0[f] = a0; y0[f + 1u] = a1; y0[f + 2u] = a2; y0[f + 3u] = a3;
    }
    for (; f < filters; ++f) {
        float a = bias ? bias[f] : 0.0f;
        for (uint32_t r = 0; r < rows; ++r) {
            const float *xa = x0 + r * xrow, *wa = w0 + f * fstride + r * wrow;
            for (uint32_t j = 0; j < n; ++j) a = AD_FMA(xa[j], wa[j], a);
        }
        y0[f] = a;
    }
}

/* y[b,oh,ow,f] = bias[f] + sum_{kh,kw,c} x[b,ih,iw,c] * w[f,kh,kw,c]   (bias may be NULL)
 * x [B,in_h,in_w,in_c], w [filters,k_h,k_w,in_c], y [B,out_h,out_w,filters]; scratch: none.
 * Per output row the kernel-row range (ad_conv_taps). The columns [lo, hi) whose window lies
 * wholly inside the input along w (found once per call) go to ad_conv_fwd_block in pairs, with
 * runs of k_w*in_c floats; the edge columns and an odd one left over go one by one with their
 * own kernel-column range. Each sum still starts at the bias and adds the taps in (kh, kw, c)
 * order. */
void ad_conv2d_f32(const float *x, const float *w, const float *bias, float *y,
                   uint32_t batch, uint32_t in_h, uint32_t in_w, uint32_t in_c,
                   uint32_t out_h, uint32_t out_w, uint32_t filters,
                   uint32_t k_h, uint32_t k_w, uint32_t stride_h, uint32_t stride_w,
                   uint32_t pad_top, uint32_t pad_left)
{
    const size_t fstride = (size_t)k_h * k_w * in_c; /* one filter's weights */
    const size_t wrow = (size_t)k_w * in_c;           /* one kernel row of one filter */
    const size_t xrow = (size_t)in_w * in_c;          /* one input row */
    const size_t xnext = (size_t)stride_w * in_c;     /* the next output column, in x */
    /* Interior columns: ow*stride_w >= pad_left and ow*stride_w + k_w <= in_w + pad_left. */
    uint32_t lo = (pad_left + stride_w - 1u) / stride_w;
    uint32_t hi = in_w + pad_left >= k_w ? (in_w + pad_left - k_w) / stride_w + 1u : 0u;
    if (hi > out_w) hi = out_w;
    if (lo > hi) lo = hi;
    for (uint32_t b = 0; b < batch; ++b)
        for (uint32_t oh = 0; oh < out_h; ++oh) {
            uint32_t kh0, kh1;
            ad_conv_taps(oh, stride_h, pad_top, in_h, k_h, &kh0, &kh1);
            float *yr = y + ((size_t)b * out_h + oh) * out_w * filters;
            if (kh0 == kh1) { /* the whole output row reads padding only */
                for (uint32_t i = 0; i < out_w * filters; ++i) yr[i] = bias ? bias[i % filters] : 0.0f;
                continue;
            }
            const uint32_t rows = kh1 - kh0;
            const float *xr = x + ((size_t)b * in_h + (oh * stride_h + kh0 - pad_top)) * xrow; /* input row kh0 */
            const float *wr = w + (size_t)kh0 * wrow;
            for (uint32_t ow = 0; ow < out_w;) {
                float *yp = yr + (size_t)ow * filters;
                if (ow >= lo && ow + 1u < hi) {
                    ad_conv_fwd_block(xr + (size_t)(ow * stride_w - pad_left) * in_c, xnext, wr, bias, yp, 1,
                                      filters, rows, k_w * in_c, xrow, wrow, fstride);
                    ow += 2u;
                    continue;
                }
                uint32_t kw0, kw1;
                ad_conv_taps(ow, stride_w, pad_left, in_w, k_w, &kw0, &kw1);
                if (kw0 == kw1) { /* the window lies wholly in the padding */
                    for (uint32_t f = 0; f < filters; ++f) yp[f] = bias ? bias[f] : 0.0f;
                } else {
                    ad_conv_fwd_block(xr + (size_t)(ow * stride_w + kw0 - pad_left) * in_c, xnext,
                                      wr + (size_t)kw0 * in_c, bias, yp, 0,
                                      filters, rows, (kw1 - kw0) * in_c, xrow, wrow, fstride);
                }
                ++ow;
            }
        }
}

/* Adds dy * w of one output position (dy0, its input window at dx0), or of two horizontally
 * adjacent ones with the same tap ranges (dy0 and dy0 + filters, windows at dx0 and
 * dx0 + xnext), into dx. dx0 and w0 point at the first valid tap; each of the `rows` valid kernel
 * rows is a run of n contiguous floats in dx (rows xrow apart) and in w (rows wrow apart, filters
 * fstride apart). Filters go in fours with their dy values in registers: per tap, one dx
 * load/store per position and one load per weight, shared by both positions. The two windows may
 * overlap; every dx element is read after the previous update of it is stored, so it still gets
 * every term once. */
static void ad_conv_dx_block(float *dx0, size_t xnext, const float *w0, const float *dy0, int two,
                             uint32_t filters, uint32_t rows, uint32_t n,
                             size_t xrow, size_t wrow, size_t fstride)
{
    uint32_t f = 0;
    for (; f + 4u <= filters; f += 4u) {
        const float d0 = dy0[f], d1 = dy0[f + 1u], d2 = dy0[f + 2u], d3 = dy0[f + 3u];
        if (two) {
            const float e0 = dy0[filters + f], e1 = dy0[filters + f + 1u];
            const float e2 = dy0[filters + f + 2u], e3 = dy0[filters + f + 3u];
            for (uint32_t r = 0; r < rows; ++r) {
                float *da = dx0 + r * xrow, *db = da + xnext;
                const float *wa = w0 + f * fstride + r * wrow;
                const float *wb = wa + fstride, *wc = wb + fstride, *wd = wc + fstride;
                for (uint32_t j = 0; j < n; ++j) {
                    const float ta = wa[j], tb = wb[j], tc = wc[j], td = wd[j];
                    da[j] = AD_FMA(d3, td, AD_FMA(d2, tc, AD_FMA(d1, tb, AD_FMA(d0, ta, da[j]))));
                    db[j] = AD_FMA(e3, td, AD_FMA(e2, tc, AD_FMA(e1, tb, AD_FMA(e0, ta, db[j]))));
                }
            }
        } else {
            for (uint32_t r = 0; r < rows; ++r) {
                float *da = dx0 + r * xrow;
                const float *wa = w0 + f * fstride + r * wrow;
                const float *wb = wa + fstride, *wc = wb + fstride, *wd = wc + fstride;
                for (uint32_t j = 0; j < n; ++j)
                    da[j] = AD_FMA(d3, wd[j], AD_FMA(d2, wc[j], AD_FMA(d1, wb[j], AD_FMA(d0, wa[j], da[j]))));
            }
        }
    }
    for (; f < filters; ++f) {
        const float d = dy0[f], e = two ? dy0[filters + f] : 0.0f;
        for (uint32_t r = 0; r < rows; ++r) {
            float *da = dx0 + r * xrow;
            const float *wa = w0 + f * fstride + r * wrow;
            for (uint32_t j = 0; j < n; ++j) da[j] = AD_FMA(d, wa[j], da[j]);
            if (two) {
                float *db = da + xnext;
                for (uint32_t j = 0; j < n; ++j) db[j] = AD_FMA(e, wa[j], db[j]);
            }
        }
    }
}

/* dx[b,ih,iw,c] = sum over the (oh,ow,kh,kw) reading x[b,ih,iw,c] and every f of
 * dy[b,oh,ow,f] * w[f,kh,kw,c].  dy [B,out_h,out_w,filters], w [filters,k_h,k_w,in_c],
 * dx [B,in_h,in_w,in_c]; scratch: none.
 * Scatter form: dx is cleared, then every output position adds dy * w into the input window it
 * read, over exactly the taps the forward pass used (same tap ranges, same interior columns
 * [lo, hi) taken in pairs), so no division or modulo by the stride is needed per tap. Every dx
 * element receives the same terms as the gather form, in another order. */
void ad_conv2d_backward_input_f32(const float *dy, const float *w, float *dx,
                                  uint32_t batch, uint32_t in_h, uint32_t in_w, uint32_t in_c,
                                  uint32_t out_h, uint32_t out_w, uint32_t filters,
                                  uint32_t k_h, uint32_t k_w, uint32_t stride_h, uint32_t stride_w,
                                  uint32_t pad_top, uint32_t pad_left)
{
    const size_t fstride = (size_t)k_h * k_w * in_c;
    const size_t wrow = (size_t)k_w * in_c;
    const size_t xrow = (size_t)in_w * in_c;
    const size_t xnext = (size_t)stride_w * in_c;
    uint32_t lo = (pad_left + stride_w - 1u) / stride_w;
    uint32_t hi = in_w + pad_left >= k_w ? (in_w + pad_left - k_w) / stride_w + 1u : 0u;
    if (hi > out_w) hi = out_w;
    if (lo > hi) lo = hi;
    memset(dx, 0, (size_t)batch * in_h * xrow * sizeof(float));
    for (uint32_t b = 0; b < batch; ++b)
        for (uint32_t oh = 0; oh < out_h; ++oh) {
            uint32_t kh0, kh1;
            ad_conv_taps(oh, stride_h, pad_top, in_h, k_h, &kh0, &kh1);
            if (kh0 == kh1) continue;
            const uint32_t rows = kh1 - kh0;
            float *dxr = dx + ((size_t)b * in_h + (oh * stride_h + kh0 - pad_top)) * xrow; /* input row kh0 */
            const float *wr = w + (size_t)kh0 * wrow;
            const float *dyr = dy + ((size_t)b * out_h + oh) * out_w * filters;
            for (uint32_t ow = 0; ow < out_w;) {
                if (ow >= lo && ow + 1u < hi) {
                    ad_conv_dx_block(dxr + (size_t)(ow * stride_w - pad_left) * in_c, xnext, wr,
                                     dyr + (size_t)ow * filters, 1, filters, rows, k_w * in_c, xrow, wrow, fstride);
                    ow += 2u;
                    continue;
                }
                uint32_t kw0, kw1;
                ad_conv_taps(ow, stride_w, pad_left, in_w, k_w, &kw0, &kw1);
                if (kw0 != kw1)
                    ad_conv_dx_block(dxr + (size_t)(ow * stride_w + kw0 - pad_left) * in_c, xnext,
                                     wr + (size_t)kw0 * in_c, dyr + (size_t)ow * filters, 0,
                                     filters, rows, (kw1 - kw0) * in_c, xrow, wrow, fstride);
                ++ow;
            }
        }
}

/* One element k = ((f*k_h + kh)*k_w + kw)*in_c + c of the weight gradient:
 * sum_{b,oh,ow} dy[b,oh,ow,f] * x[b,ih,iw,c] over the positions whose tap is inside the input,
 * in increasing (b, oh, ow) order (one accumulator, as the header promises).
 * dy [B,out_h,out_w,filters], x [B,in_h,in_w,in_c]; scratch: none; no state across calls.
 * Called once per weight, so the fixed cost matters as much as the loop: k is split with at
 * most three divisions (none for the channel when in_c == 1), the valid (oh, ow) rectangle is
 * found once (without division at stride 1), and the loops walk it with two pointers that only
 * step by precomputed strides; a row goes two terms per iteration (still in order). (Variants
 * tried and measured slower with gcc -O2 on Cortex-M4: four terms per iteration, a separate loop
 * for contiguous x, pointers carried from row end to row start.) */
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
    float acc = 0.0f;
    if (oh0 == oh1 || ow0 == ow1) return acc;
    /* p, q: the first term of a row in dy[b,oh,ow,f] and x[b,ih,iw,c]; a row's terms are pcol
     * (qcol) floats apart, its rows prow (qrow) apart, its samples pbatch (qbatch). A pointer only
     * ever moves onto a term that is summed next, so none leaves its array. */
    const uint32_t rows = oh1 - oh0, cols = ow1 - ow0;
    const uint32_t pcol = filters, qcol = stride_w * in_c;
    const uint32_t prow = out_w * filters, qrow = stride_h * in_w * in_c;
    const uint32_t pbatch = out_h * prow, qbatch = in_h * in_w * in_c;
    const float *pb = dy + (oh0 * out_w + ow0) * filters + f;
    const float *qb = x + ((oh0 * stride_h + kh - pad_top) * in_w + ow0 * stride_w + kw - pad_left) * in_c + c;
    for (uint32_t b = batch;;) {
        const float *p = pb, *q = qb;
        for (uint32_t r = rows;;) {
            /* One row in increasing ow: pairs of terms, then an odd last one. */
            const float *pp = p, *qq = q;
            uint32_t m = cols;
            while (m >= 2u) {
                const float *p1 = pp + pcol, *q1 = qq + qcol;
                acc = AD_FMA(*pp, *qq, acc);
                acc = AD_FMA(*p1, *q1, acc);
                m -= 2u;
                if (m == 0u) break;
                pp = p1 + pcol;
                qq = q1 + qcol;
            }
            if (m) acc = AD_FMA(*pp, *qq, acc);
            if (--r == 0u) break;
            p += prow;
            q += qrow;
        }
        if (--b == 0u) break;
        pb += pbatch;
        qb += qbatch;
    }
    return acc;
}

#endif /* AD_CONV_COMMON_HELPERS_ONLY */

#endif /* AD_INTERNAL_CONV_COMMON_H */
