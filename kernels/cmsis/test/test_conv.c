/* SPDX-License-Identifier: MIT */
/*
 * test_conv.c - checks the conv family of kernels/cmsis/conv.c (ad_conv2d_f32,
 * ad_conv2d_backward_input_f32, ad_conv2d_backward_weight_element_f32) against plain reference
 * loops written from the contract in autodiff_kernels.h (a test per tap, sums in double), in QEMU.
 * Built and run by run.sh on the cortex-m55 board (MVE code) and on stm32f4 (the portable C).
 *
 * Shapes cover in_c 1..8, filters 1..9 (also non-multiples of 4), kernels 1x1, 3x3, 5x3,
 * strides 1 and 2, same, valid and oversized padding, batch 1..3, with and without bias, and
 * the two layers of conv_momentum. Data is deterministic pseudo-random in [-1, 1). A value
 * passes when |got - ref| <= 1e-5 * sum |terms| (+ a tiny absolute floor): the kernels may sum
 * in any order. Outputs start as NaN, so every element must be written; inputs are checked to
 * be left untouched.
 *
 * Prints one line per failing (shape, function), then "passed N cases" (a case = one function
 * on one shape) or "FAILED M of N cases"; main returns 0 only when all passed (semihosting makes
 * that QEMU's exit status).
 * Build with -DAD_CONV_BENCH to get instead a firmware that runs conv_momentum's conv calls
 * (two forwards, one input gradient, all 36 + 288 weight-gradient elements) each between
 * ad_bench_start() and ad_bench_stop(), selected by AD_CONV_BENCH = 1 (forward), 2 (input
 * gradient), 3 (weight gradient), for bench/qemu-insn-count/count.sh.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "autodiff_kernels.h"

struct shape {
    uint32_t batch, in_h, in_w, in_c, filters, k_h, k_w, stride_h, stride_w;
    int same;      /* 1: "same" padding; 0: valid; -1: explicit pad_top/pad_left/out_h/out_w below */
    int bias;
    uint32_t pad_top, pad_left, out_h, out_w;
};

static const struct shape shapes[] = {
    /* conv_momentum: conv1 and conv2 */
    {2, 12, 12, 1, 4, 3, 3, 1, 1, 1, 1, 0, 0, 0, 0},
    {2, 6, 6, 4, 8, 3, 3, 1, 1, 0, 0, 0, 0, 0, 0},
    {1, 7, 5, 3, 5, 3, 3, 2, 2, 1, 1, 0, 0, 0, 0},
    {3, 6, 7, 5, 9, 5, 3, 1, 1, 1, 0, 0, 0, 0, 0},
    {1, 5, 5, 8, 7, 1, 1, 1, 1, 0, 1, 0, 0, 0, 0},
    {2, 9, 8, 1, 1, 3, 3, 2, 2, 0, 1, 0, 0, 0, 0},
    {1, 8, 8, 3, 6, 5, 3, 2, 2, 0, 0, 0, 0, 0, 0},
    {2, 4, 5, 4, 3, 3, 3, 1, 1, 1, 1, 0, 0, 0, 0},
    {1, 3, 3, 1, 2, 5, 3, 1, 1, 1, 1, 0, 0, 0, 0},
    {1, 6, 6, 8, 9, 3, 3, 2, 2, 1, 0, 0, 0, 0, 0},
    {3, 5, 6, 5, 4, 1, 1, 2, 2, 1, 1, 0, 0, 0, 0},
    {2, 9, 7, 3, 5, 3, 3, 2, 1, 1, 1, 0, 0, 0, 0},
    {1, 7, 9, 4, 8, 5, 3, 1, 2, 0, 1, 0, 0, 0, 0},
    {2, 10, 10, 1, 9, 5, 3, 1, 1, 1, 0, 0, 0, 0, 0},
    {1, 5, 5, 5, 2, 3, 3, 1, 1, 1, 1, 0, 0, 0, 0},
    {3, 4, 4, 8, 1, 3, 3, 1, 1, 0, 0, 0, 0, 0, 0},
    /* explicit padding wider than the kernel: whole windows (rows, columns) in the padding */
    {2, 4, 4, 2, 3, 1, 1, 1, 1, -1, 1, 1, 1, 6, 6},
    {1, 3, 4, 3, 5, 3, 3, 2, 2, -1, 0, 3, 2, 4, 5},
};
#define N_SHAPES (sizeof shapes / sizeof shapes[0])

#define MAX_X 1200u  /* largest batch * in_h * in_w * in_c */
#define MAX_Y 2000u  /* largest batch * out_h * out_w * filters */
#define MAX_W 800u   /* largest filters * k_h * k_w * in_c */

static float x[MAX_X], w[MAX_W], bias[16], dy[MAX_Y];
static float y[MAX_Y], dx[MAX_X];
static uint32_t seed;

static float next_value(void)
{
    seed = seed * 1664525u + 1013904223u;
    return (float)(seed >> 8) * 0x1p-23f - 1.0f;
}

static void fill(float *a, uint32_t n) { for (uint32_t i = 0; i < n; ++i) a[i] = next_value(); }

static uint32_t checksum(const float *a, uint32_t n)
{
    uint32_t h = 2166136261u;
    for (uint32_t i = 0; i < n; ++i) {
        uint32_t u;
        memcpy(&u, &a[i], sizeof u);
        h = (h ^ u) * 16777619u;
    }
    return h;
}

/* got agrees with the exact sum ref of terms whose magnitudes add to mag. */
static int close_enough(float got, double ref, double mag)
{
    return fabs((double)got - ref) <= 1e-5 * mag + 1e-30;
}

/* The input index read by output (oh, ow) at tap (kh, kw), or -1 in the padding. */
static int64_t tap_index(const struct shape *s, uint32_t out_b, uint32_t oh, uint32_t ow, uint32_t kh, uint32_t kw,
                      uint32_t pad_top, uint32_t pad_left)
{
    const int64_t ih = (int64_t)oh * s->stride_h + kh - (int64_t)pad_top, iw = (int64_t)ow * s->stride_w + kw - (int64_t)pad_left;
    if (ih < 0 || iw < 0 || ih >= (int64_t)s->in_h || iw >= (int64_t)s->in_w) return -1;
    return (((int64_t)out_b * s->in_h + ih) * s->in_w + iw) * (int64_t)s->in_c;
}

static uint32_t failed, cases;

static void report(uint32_t index, const char *what, int ok, const char *detail)
{
    ++cases;
    if (ok) return;
    ++failed;
    const struct shape *s = &shapes[index];
    printf("FAIL shape %u (B%u %ux%ux%u -> %u filters, %ux%u, stride %u,%u, %s%s) %s: %s\n", (unsigned)index,
           (unsigned)s->batch, (unsigned)s->in_h, (unsigned)s->in_w, (unsigned)s->in_c, (unsigned)s->filters,
           (unsigned)s->k_h, (unsigned)s->k_w, (unsigned)s->stride_h, (unsigned)s->stride_w,
           s->same > 0 ? "same" : s->same == 0 ? "valid" : "explicit pad", s->bias ? ", bias" : "", what, detail);
}

__attribute__((unused)) static void test_shape(uint32_t index)
{
    const struct shape *s = &shapes[index];
    uint32_t out_h, out_w, pad_top, pad_left;
    if (s->same > 0) {
        out_h = (s->in_h + s->stride_h - 1u) / s->stride_h;
        out_w = (s->in_w + s->stride_w - 1u) / s->stride_w;
        const int64_t th = (int64_t)(out_h - 1u) * s->stride_h + s->k_h - s->in_h;
        const int64_t tw = (int64_t)(out_w - 1u) * s->stride_w + s->k_w - s->in_w;
        pad_top = th > 0 ? (uint32_t)th / 2u : 0u;
        pad_left = tw > 0 ? (uint32_t)tw / 2u : 0u;
    } else if (s->same == 0) {
        out_h = (s->in_h - s->k_h) / s->stride_h + 1u;
        out_w = (s->in_w - s->k_w) / s->stride_w + 1u;
        pad_top = pad_left = 0u;
    } else {
        out_h = s->out_h; out_w = s->out_w; pad_top = s->pad_top; pad_left = s->pad_left;
    }
    const uint32_t nx = s->batch * s->in_h * s->in_w * s->in_c, ny = s->batch * out_h * out_w * s->filters;
    const uint32_t nw = s->filters * s->k_h * s->k_w * s->in_c;
    if (nx > MAX_X || ny > MAX_Y || nw > MAX_W || s->filters > 16u) {
        report(index, "setup", 0, "shape too large for the test buffers");
        return;
    }
    seed = 0x9e3779b9u * (index + 1u);
    fill(x, nx); fill(w, nw); fill(bias, s->filters); fill(dy, ny);
    const float *b = s->bias ? bias : NULL;
    const uint32_t sum_in = checksum(x, nx) ^ checksum(w, nw) ^ checksum(bias, s->filters) ^ checksum(dy, ny);
    char detail[120];

    /* forward */
    for (uint32_t i = 0; i < ny; ++i) y[i] = NAN;
    ad_conv2d_f32(x, w, b, y, s->batch, s->in_h, s->in_w, s->in_c, out_h, out_w, s->filters,
                  s->k_h, s->k_w, s->stride_h, s->stride_w, pad_top, pad_left);
    int ok = 1;
    for (uint32_t n = 0; n < s->batch && ok; ++n)
        for (uint32_t oh = 0; oh < out_h && ok; ++oh)
            for (uint32_t ow = 0; ow < out_w && ok; ++ow)
                for (uint32_t f = 0; f < s->filters && ok; ++f) {
                    double ref = b ? b[f] : 0.0, mag = fabs(ref);
                    for (uint32_t kh = 0; kh < s->k_h; ++kh)
                        for (uint32_t kw = 0; kw < s->k_w; ++kw) {
                            const int64_t xi = tap_index(s, n, oh, ow, kh, kw, pad_top, pad_left);
                            if (xi < 0) continue;
                            for (uint32_t c = 0; c < s->in_c; ++c) {
                                const double t = (double)x[xi + c] * w[((f * s->k_h + kh) * s->k_w + kw) * s->in_c + c];
                                ref += t;
                                mag += fabs(t);
                            }
                        }
                    const float got = y[((n * out_h + oh) * out_w + ow) * s->filters + f];
                    if (!close_enough(got, ref, mag)) {
                        ok = 0;
                        snprintf(detail, sizeof detail, "y[%u,%u,%u,%u] = %.9g, expected %.9g", (unsigned)n,
                                 (unsigned)oh, (unsigned)ow, (unsigned)f, (double)got, ref);
                    }
                }
    report(index, "ad_conv2d_f32", ok, detail);

    /* input gradient: accumulate the reference in the gather-free scatter order, in double */
    for (uint32_t i = 0; i < nx; ++i) dx[i] = NAN;
    ad_conv2d_backward_input_f32(dy, w, dx, s->batch, s->in_h, s->in_w, s->in_c, out_h, out_w, s->filters,
                                 s->k_h, s->k_w, s->stride_h, s->stride_w, pad_top, pad_left);
    ok = 1;
    for (uint32_t i = 0; i < nx && ok; ++i) {
        /* x index i = ((n*in_h + ih)*in_w + iw)*in_c + c: every (oh, kh) with oh*stride + kh - pad = ih */
        const uint32_t c = i % s->in_c, iw = i / s->in_c % s->in_w, ih = i / s->in_c / s->in_w % s->in_h;
        const uint32_t n = i / s->in_c / s->in_w / s->in_h;
        double ref = 0.0, mag = 0.0;
        for (uint32_t oh = 0; oh < out_h; ++oh)
            for (uint32_t kh = 0; kh < s->k_h; ++kh) {
                if ((int64_t)oh * s->stride_h + kh - (int64_t)pad_top != (int64_t)ih) continue;
                for (uint32_t ow = 0; ow < out_w; ++ow)
                    for (uint32_t kw = 0; kw < s->k_w; ++kw) {
                        if ((int64_t)ow * s->stride_w + kw - (int64_t)pad_left != (int64_t)iw) continue;
                        for (uint32_t f = 0; f < s->filters; ++f) {
                            const double t = (double)dy[((n * out_h + oh) * out_w + ow) * s->filters + f] *
                                             w[((f * s->k_h + kh) * s->k_w + kw) * s->in_c + c];
                            ref += t;
                            mag += fabs(t);
                        }
                    }
            }
        if (!close_enough(dx[i], ref, mag)) {
            ok = 0;
            snprintf(detail, sizeof detail, "dx[%u] = %.9g, expected %.9g", (unsigned)i, (double)dx[i], ref);
        }
    }
    report(index, "ad_conv2d_backward_input_f32", ok, detail);

    /* weight gradient, every element */
    ok = 1;
    for (uint32_t k = 0; k < nw && ok; ++k) {
        const uint32_t c = k % s->in_c, kw = k / s->in_c % s->k_w, kh = k / s->in_c / s->k_w % s->k_h;
        const uint32_t f = k / s->in_c / s->k_w / s->k_h;
        double ref = 0.0, mag = 0.0;
        for (uint32_t n = 0; n < s->batch; ++n)
            for (uint32_t oh = 0; oh < out_h; ++oh)
                for (uint32_t ow = 0; ow < out_w; ++ow) {
                    const int64_t xi = tap_index(s, n, oh, ow, kh, kw, pad_top, pad_left);
                    if (xi < 0) continue;
                    const double t = (double)dy[((n * out_h + oh) * out_w + ow) * s->filters + f] * x[xi + c];
                    ref += t;
                    mag += fabs(t);
                }
        const float got = ad_conv2d_backward_weight_element_f32(dy, x, s->batch, s->in_h, s->in_w, s->in_c, out_h,
                                                                out_w, s->filters, s->k_h, s->k_w, s->stride_h,
                                                                s->stride_w, pad_top, pad_left, k);
        if (!close_enough(got, ref, mag)) {
            ok = 0;
            snprintf(detail, sizeof detail, "dw[%u] = %.9g, expected %.9g", (unsigned)k, (double)got, ref);
        }
    }
    report(index, "ad_conv2d_backward_weight_element_f32", ok, detail);

    const uint32_t sum_out = checksum(x, nx) ^ checksum(w, nw) ^ checksum(bias, s->filters) ^ checksum(dy, ny);
    report(index, "inputs left untouched", sum_in == sum_out, "an input array was written");
}

#ifndef AD_CONV_BENCH

int main(void)
{
    for (uint32_t i = 0; i < N_SHAPES; ++i) test_shape(i);
    if (failed) {
        printf("FAILED %u of %u cases\n", (unsigned)failed, (unsigned)cases);
        return 1;
    }
    printf("passed %u cases\n", (unsigned)cases);
    return 0;
}

#else /* AD_CONV_BENCH: conv_momentum's conv calls for bench/qemu-insn-count/count.sh */

void ad_bench_start(void);
void ad_bench_stop(void);
__attribute__((noipa)) void ad_bench_start(void) { __asm__ volatile(""); }
__attribute__((noipa)) void ad_bench_stop(void) { __asm__ volatile(""); }

/* conv1: 2 x 12x12x1 -> 12x12x4, 3x3 same, bias; conv2: 2 x 6x6x4 -> 4x4x8, 3x3 valid. */
static float x1[2 * 12 * 12 * 1], w1[4 * 9], b1[4], y1[2 * 12 * 12 * 4];
static float x2[2 * 6 * 6 * 4], w2[8 * 9 * 4], y2[2 * 4 * 4 * 8], dx2[2 * 6 * 6 * 4];
static volatile float sink;

int main(void)
{
    seed = 1u;
    fill(x1, sizeof x1 / 4); fill(w1, sizeof w1 / 4); fill(b1, 4); fill(y1, sizeof y1 / 4);
    fill(x2, sizeof x2 / 4); fill(w2, sizeof w2 / 4); fill(y2, sizeof y2 / 4);
    float s = 0.0f;
    ad_bench_start();
#if AD_CONV_BENCH == 1
    ad_conv2d_f32(x1, w1, b1, y1, 2, 12, 12, 1, 12, 12, 4, 3, 3, 1, 1, 1, 1);
    ad_conv2d_f32(x2, w2, NULL, y2, 2, 6, 6, 4, 4, 4, 8, 3, 3, 1, 1, 0, 0);
#elif AD_CONV_BENCH == 2
    ad_conv2d_backward_input_f32(y2, w2, dx2, 2, 6, 6, 4, 4, 4, 8, 3, 3, 1, 1, 0, 0);
#else
    for (uint32_t k = 0; k < 36u; ++k)
        s += ad_conv2d_backward_weight_element_f32(y1, x1, 2, 12, 12, 1, 12, 12, 4, 3, 3, 1, 1, 1, 1, k);
    for (uint32_t k = 0; k < 288u; ++k)
        s += ad_conv2d_backward_weight_element_f32(y2, x2, 2, 6, 6, 4, 4, 4, 8, 3, 3, 1, 1, 0, 0, k);
#endif
    ad_bench_stop();
    sink = s + y1[5] + y2[7] + dx2[3];
    return 0;
}

#endif
