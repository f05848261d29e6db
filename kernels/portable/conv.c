/*
 * conv.c - portable 2-D convolution kernels: forward, input gradient, and the weight gradient one
 * element at a time (the generated code applies the optimizer to each value as it is formed, so no
 * gradient buffer exists).
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
 *  - Forward and input gradient handle four filters per pass: one load of x (resp. dx) feeds four
 *    fused multiply-adds (AD_FMA, one VFMA on Cortex-M4F), so loads per multiply-accumulate drop
 *    from two to 1.25. Left-over filters (filters % 4) take a one-filter loop.
 * No kernel uses scratch memory, the heap or static state.
 */
#include <string.h>

#include "autodiff_kernels.h"

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

/* y[b,oh,ow,f] = bias[f] + sum_{kh,kw,c} x[b,ih,iw,c] * w[f,kh,kw,c]   (bias may be NULL)
 * x [B,in_h,in_w,in_c], w [filters,k_h,k_w,in_c], y [B,out_h,out_w,filters]; scratch: none.
 * Per output position: tap ranges from ad_conv_taps, then filters in fours; per valid kernel row
 * the run of n = (kw1-kw0)*in_c contiguous floats is read once from x and multiplied into four
 * accumulators (four weight runs, one filter apart). Each sum still starts at the bias and adds
 * the taps in (kh, kw, c) order. */
void ad_conv2d_f32(const float *x, const float *w, const float *bias, float *y,
                   uint32_t batch, uint32_t in_h, uint32_t in_w, uint32_t in_c,
                   uint32_t out_h, uint32_t out_w, uint32_t filters,
                   uint32_t k_h, uint32_t k_w, uint32_t stride_h, uint32_t stride_w,
                   uint32_t pad_top, uint32_t pad_left)
{
    const size_t fstride = (size_t)k_h * k_w * in_c; /* one filter's weights */
    const size_t wrow = (size_t)k_w * in_c;           /* one kernel row of one filter */
    const size_t xrow = (size_t)in_w * in_c;          /* one input row */
    for (uint32_t b = 0; b < batch; ++b) {
        const float *xb = x + (size_t)b * in_h * xrow;
        for (uint32_t oh = 0; oh < out_h; ++oh) {
            uint32_t kh0, kh1;
            ad_conv_taps(oh, stride_h, pad_top, in_h, k_h, &kh0, &kh1);
            for (uint32_t ow = 0; ow < out_w; ++ow) {
                float *yp = y + (((size_t)b * out_h + oh) * out_w + ow) * filters;
                uint32_t kw0, kw1;
                ad_conv_taps(ow, stride_w, pad_left, in_w, k_w, &kw0, &kw1);
                if (kh0 == kh1 || kw0 == kw1) { /* the window lies wholly in the padding */
                    for (uint32_t f = 0; f < filters; ++f) yp[f] = bias ? bias[f] : 0.0f;
                    continue;
                }
                const uint32_t rows = kh1 - kh0, n = (kw1 - kw0) * in_c;
                const float *xs = xb + (size_t)(oh * stride_h + kh0 - pad_top) * xrow
                                     + (size_t)(ow * stride_w + kw0 - pad_left) * in_c;
                const float *ws = w + (size_t)kh0 * wrow + (size_t)kw0 * in_c;
                uint32_t f = 0;
                for (; f + 4u <= filters; f += 4u) {
                    float a0 = 0.0f, a1 = 0.0f, a2 = 0.0f, a3 = 0.0f;
                    if (bias) { a0 = bias[f]; a1 = bias[f + 1u]; a2 = bias[f + 2u]; a3 = bias[f + 3u]; }
                    for (uint32_t r = 0; r < rows; ++r) {
                        const float *xr = xs + r * xrow;
                        const float *w0 = ws + f * fstride + r * wrow;
                        const float *w1 = w0 + fstride, *w2 = w1 + fstride, *w3 = w2 + fstride;
                        for (uint32_t j = 0; j < n; ++j) {
                            const float xv = xr[j];
                            a0 = AD_FMA(xv, w0[j], a0);
                            a1 = AD_FMA(xv, w1[j], a1);
                            a2 = AD_FMA(xv, w2[j], a2);
                            a3 = AD_FMA(xv, w3[j], a3);
                        }
                    }
                    yp[f] = a0;
                    yp[f + 1u] = a1;
                    yp[f + 2u] = a2;
                    yp[f + 3u] = a3;
                }
                for (; f < filters; ++f) {
                    float a = bias ? bias[f] : 0.0f;
                    for (uint32_t r = 0; r < rows; ++r) {
                        const float *xr = xs + r * xrow, *wr = ws + f * fstride + r * wrow;
                        for (uint32_t j = 0; j < n; ++j) a = AD_FMA(xr[j], wr[j], a);
                    }
                    yp[f] = a;
                }
            }
        }
    }
}

/* dx[b,ih,iw,c] = sum over the (oh,ow,kh,kw) reading x[b,ih,iw,c] and every f of
 * dy[b,oh,ow,f] * w[f,kh,kw,c].  dy [B,out_h,out_w,filters], w [filters,k_h,k_w,in_c],
 * dx [B,in_h,in_w,in_c]; scratch: none.
 * Scatter form: dx is cleared, then every output position adds dy * w into the input window it
 * read, over exactly the taps the forward pass used (same tap ranges), so no division or modulo
 * by the stride is needed anywhere. Filters go in fours: four dy values sit in registers while
 * one run of dx is read, gets four fused multiply-adds and is written back. Every dx element
 * receives the same terms as the gather form, in another order. */
void ad_conv2d_backward_input_f32(const float *dy, const float *w, float *dx,
                                  uint32_t batch, uint32_t in_h, uint32_t in_w, uint32_t in_c,
                                  uint32_t out_h, uint32_t out_w, uint32_t filters,
                                  uint32_t k_h, uint32_t k_w, uint32_t stride_h, uint32_t stride_w,
                                  uint32_t pad_top, uint32_t pad_left)
{
    const size_t fstride = (size_t)k_h * k_w * in_c;
    const size_t wrow = (size_t)k_w * in_c;
    const size_t xrow = (size_t)in_w * in_c;
    memset(dx, 0, (size_t)batch * in_h * xrow * sizeof(float));
    for (uint32_t b = 0; b < batch; ++b) {
        float *dxb = dx + (size_t)b * in_h * xrow;
        for (uint32_t oh = 0; oh < out_h; ++oh) {
            uint32_t kh0, kh1;
            ad_conv_taps(oh, stride_h, pad_top, in_h, k_h, &kh0, &kh1);
            if (kh0 == kh1) continue;
            for (uint32_t ow = 0; ow < out_w; ++ow) {
                uint32_t kw0, kw1;
                ad_conv_taps(ow, stride_w, pad_left, in_w, k_w, &kw0, &kw1);
                if (kw0 == kw1) continue;
                const float *dyp = dy + (((size_t)b * out_h + oh) * out_w + ow) * filters;
                const uint32_t rows = kh1 - kh0, n = (kw1 - kw0) * in_c;
                float *dxs = dxb + (size_t)(oh * stride_h + kh0 - pad_top) * xrow
                                 + (size_t)(ow * stride_w + kw0 - pad_left) * in_c;
                const float *ws = w + (size_t)kh0 * wrow + (size_t)kw0 * in_c;
                uint32_t f = 0;
                for (; f + 4u <= filters; f += 4u) {
                    const float d0 = dyp[f], d1 = dyp[f + 1u], d2 = dyp[f + 2u], d3 = dyp[f + 3u];
                    for (uint32_t r = 0; r < rows; ++r) {
                        float *dr = dxs + r * xrow;
                        const float *w0 = ws + f * fstride + r * wrow;
                        const float *w1 = w0 + fstride, *w2 = w1 + fstride, *w3 = w2 + fstride;
                        for (uint32_t j = 0; j < n; ++j)
                            dr[j] = AD_FMA(d3, w3[j], AD_FMA(d2, w2[j], AD_FMA(d1, w1[j], AD_FMA(d0, w0[j], dr[j]))));
                    }
                }
                for (; f < filters; ++f) {
                    const float d = dyp[f];
                    for (uint32_t r = 0; r < rows; ++r) {
                        float *dr = dxs + r * xrow;
                        const float *wr = ws + f * fstride + r * wrow;
                        for (uint32_t j = 0; j < n; ++j) dr[j] = AD_FMA(d, wr[j], dr[j]);
                    }
                }
            }
        }
    }
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

/* One element k = ((f*k_h + kh)*k_w + kw)*in_c + c of the weight gradient:
 * sum_{b,oh,ow} dy[b,oh,ow,f] * x[b,ih,iw,c] over the positions whose tap is inside the input,
 * in increasing (b, oh, ow) order (one accumulator, as the header promises).
 * dy [B,out_h,out_w,filters], x [B,in_h,in_w,in_c]; scratch: none; no state across calls.
 * Called once per weight, so the fixed cost matters as much as the loop: k is split with at
 * most three divisions (none for the channel when in_c == 1), the valid (oh, ow) rectangle is
 * found once without division at stride 1, and the inner loop runs over one output row with two
 * strided pointers, unrolled by two (still in order) to halve the loop overhead. */
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
    const uint32_t cols = ow1 - ow0;
    const size_t xstep = (size_t)stride_w * in_c;       /* next output column, in x */
    const size_t dyrow = (size_t)out_w * filters;       /* next output row, in dy */
    const size_t xrow = (size_t)stride_h * in_w * in_c; /* next output row, in x */
    const size_t dybatch = (size_t)out_h * dyrow, xbatch = (size_t)in_h * in_w * in_c;
    const float *dy0 = dy + ((size_t)oh0 * out_w + ow0) * filters + f;
    const float *x0 = x + ((size_t)(oh0 * stride_h + kh - pad_top) * in_w + (ow0 * stride_w + kw - pad_left)) * in_c + c;
    for (uint32_t b = 0; b < batch; ++b)
        for (uint32_t r = 0; r < oh1 - oh0; ++r) {
            const float *p = dy0 + b * dybatch + r * dyrow, *q = x0 + b * xbatch + r * xrow;
            uint32_t i = 0;
            for (; i + 2u <= cols; i += 2u) {
                acc = AD_FMA(p[i * filters], q[i * xstep], acc);
                acc = AD_FMA(p[(i + 1u) * filters], q[(i + 1u) * xstep], acc);
            }
            if (i < cols) acc = AD_FMA(p[i * filters], q[i * xstep], acc);
        }
    return acc;
}
