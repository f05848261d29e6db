/* SPDX-License-Identifier: MIT */
/*
 * test_int8.c - checks kernels/armv7em/int8.c bit for bit against the shared C of
 * kernels/portable/internal/int8_common.h (CMSIS-NN's arithmetic), in QEMU; built and run by
 * run.sh at several optimisation levels on the Cortex-M4F and once on the Cortex-M7.
 *
 * Geometries are pseudo-random with a fixed seed: batch 1-3, strides 1-3, valid and TF "same"
 * padding, kernels 1x1, 1xN, Nx1, 2x2, 3x3, 3x2, 5x1 (the transfer sample's), channels 1..40
 * (biased towards 1, 3 and multiples of 4 and 16, so patch lengths take every value mod 4),
 * inputs whose kernel spans the width (contiguous patches), ch_mult 1-3; random offsets,
 * activation ranges, multipliers in [2^30, 2^31) (also exactly 2^30: rounding ties), shifts
 * around the accumulators' size plus a few left shifts, and now and then a bias near +-2^30, so
 * that the requantisation's fast path (SMMULR) and its C fallback both run. Arrays sit at every
 * byte offset modulo 4 (the kernels take any alignment).
 *
 * Each layer gets exactly the scratch the engine plans (Armv7emInt8Scratch: conv
 * 40*ceil(K/4) + 40*out_c, linear 2*in, others 0) inside a larger buffer filled with a pattern, and must
 *   - match the shared C exactly (outputs start as a pattern, so every byte must be written),
 *   - run its own code, not the shared-C fallback (ad_int8_fallbacks does not move),
 *   - leave the pattern beyond the planned size alone, and its input untouched.
 * Conv and linear then run with one byte less: they must fall back (the counter moves), still
 * match, and not touch the scratch. Quantize is checked against the shared loop on edge values
 * and random floats; dequantize and clamp against theirs.
 *
 * Prints one line per failing case, then "passed N cases" or "FAILED M of N cases"; main returns
 * 0 only when all passed (semihosting makes that QEMU's exit status).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "autodiff_kernels.h"

#include "../../portable/internal/int8_common.h"

extern uint32_t ad_int8_fallbacks;

#define MAX_BYTES 12288u
#define PATTERN 0x5A
#define OUT_PATTERN 0x77

static int8_t xbuf[MAX_BYTES + 4], xcopy[MAX_BYTES], wbuf[MAX_BYTES + 4], ybuf[MAX_BYTES + 20], ref[MAX_BYTES];
static int8_t *x, *w, *y;
static int32_t bias[64], mult[64], shift[64];
static uint32_t scratch_words[MAX_BYTES / 4u];
static uint8_t *const scratch = (uint8_t *)scratch_words;

static uint32_t seed = 0x2468ACEu;
static uint32_t next(void)
{
    seed ^= seed << 13;
    seed ^= seed >> 17;
    seed ^= seed << 5;
    return seed;
}
static int32_t range(int32_t lo, int32_t hi) { return lo + (int32_t)(next() % (uint32_t)(hi - lo + 1)); }

static int failures, cases;

static void fill_s8(int8_t *a, uint32_t n)
{
    for (uint32_t i = 0; i < n; ++i) a[i] = (int8_t)range(-128, 127);
}

/* New byte offsets (0-3) for the input, weights and output. */
static void place(void)
{
    x = xbuf + next() % 4u;
    w = wbuf + next() % 4u;
    y = ybuf + next() % 4u;
}

static int32_t channels(void)
{
    static const int32_t special[] = { 1, 3, 4, 8, 16, 32, 12, 5 };
    return next() % 3u == 0u ? special[next() % 8u] : range(1, 40);
}

static void quantisation(uint32_t units, uint32_t terms, int with_bias, int32_t *in_off, int32_t *out_off,
                         int32_t *act_min, int32_t *act_max)
{
    int32_t bits = 0;
    while ((1u << bits) < terms) ++bits;
    const int32_t base = -(bits / 2 + 7);
    for (uint32_t o = 0; o < units; ++o) {
        mult[o] = next() % 4u == 0u ? 1 << 30 : (int32_t)(0x40000000u + next() % 0x40000000u);
        shift[o] = next() % 8u == 0u ? range(1, 4) : base + range(-3, 3);
        if (next() % 16u == 0u) shift[o] = 0;
        bias[o] = with_bias ? range(-20000, 20000) : 0;
        if (with_bias && next() % 10u == 0u) {
            const int32_t big = (int32_t)(0x3FFF0000u + next() % 0x20000u);
            bias[o] = next() % 2u ? big : -big;
        }
    }
    *in_off = range(-127, 128);
    *out_off = range(-128, 127);
    *act_min = -128;
    *act_max = 127;
    if (next() % 3u == 0u) {
        *act_min = range(-128, 0);
        *act_max = range(*act_min, 127);
    }
}

static void axis(int same, int32_t in, int32_t k, int32_t s, int32_t *out, int32_t *pad)
{
    if (same) {
        *out = (in + s - 1) / s;
        const int32_t total = (*out - 1) * s + k - in;
        *pad = total > 0 ? total / 2 : 0;
    } else {
        *out = (in - k) / s + 1;
        *pad = 0;
    }
}

static void kernel_shape(int32_t *k_h, int32_t *k_w)
{
    switch (next() % 7u) {
    case 0: *k_h = 1; *k_w = 1; break;
    case 1: *k_h = 1; *k_w = range(2, 5); break;
    case 2: *k_h = range(2, 3); *k_w = 1; break;
    case 3: *k_h = 2; *k_w = 2; break;
    case 4: *k_h = 3; *k_w = 3; break;
    case 5: *k_h = 5; *k_w = 1; break;
    default: *k_h = 3; *k_w = 2; break;
    }
}

typedef void (*layer_fn)(const void *params, const int8_t *x, int8_t *y, void *scratch);

static int run_checked(const char *what, const char *desc, layer_fn fn, void *params, uint32_t *scratch_field,
                       uint32_t nx, uint32_t ny, uint32_t needed, uint32_t planned)
{
    ++cases;
    const int short_plan = planned < needed;
    if (scratch_field) *scratch_field = planned;
    memset(scratch, PATTERN, MAX_BYTES);
    memset(ybuf, OUT_PATTERN, sizeof ybuf);
    memcpy(xcopy, x, nx);
    const uint32_t before = ad_int8_fallbacks;
    fn(params, x, y, planned ? scratch : NULL);
    const uint32_t fell_back = ad_int8_fallbacks - before;
    for (uint32_t i = 0; i < ny; ++i)
        if (y[i] != ref[i]) {
            printf("FAIL %s%s %s: y[%lu] = %d, want %d\n", what, short_plan ? " (short scratch)" : "", desc, (unsigned long)i,
                   y[i], ref[i]);
            ++failures;
            return 0;
        }
    for (uint32_t i = 0; i < 16u; ++i)
        if ((uint8_t)y[ny + i] != OUT_PATTERN || (y > ybuf && (uint8_t)y[-1] != OUT_PATTERN)) {
            printf("FAIL %s %s: wrote outside the output\n", what, desc);
            ++failures;
            return 0;
        }
    if (memcmp(x, xcopy, nx) != 0) {
        printf("FAIL %s %s: changed its input\n", what, desc);
        ++failures;
        return 0;
    }
    if (fell_back != (short_plan ? 1u : 0u)) {
        printf("FAIL %s %s: %s (scratch %lu of %lu bytes)\n", what, desc,
               short_plan ? "ran with too little scratch" : "fell back to the shared C", (unsigned long)planned,
               (unsigned long)needed);
        ++failures;
        return 0;
    }
    for (uint32_t i = short_plan ? 0u : needed; i < MAX_BYTES; ++i)
        if (scratch[i] != PATTERN) {
            printf("FAIL %s %s: wrote scratch[%lu], planned %lu bytes (needs %lu)\n", what, desc, (unsigned long)i,
                   (unsigned long)planned, (unsigned long)needed);
            ++failures;
            return 0;
        }
    return 1;
}

static void check_layer(const char *what, const char *desc, layer_fn fn, void *params, uint32_t *scratch_field,
                        uint32_t nx, uint32_t ny, uint32_t needed)
{
    if (run_checked(what, desc, fn, params, scratch_field, nx, ny, needed, needed) && needed > 0)
        (void)run_checked(what, desc, fn, params, scratch_field, nx, ny, needed, needed - 1u);
}

static void conv_call(const void *p, const int8_t *in, int8_t *out, void *s) { ad_conv2d_s8((const ad_conv_s8_t *)p, in, out, s); }
static void dw_call(const void *p, const int8_t *in, int8_t *out, void *s) { ad_depthwise_conv2d_s8((const ad_conv_s8_t *)p, in, out, s); }
static void linear_call(const void *p, const int8_t *in, int8_t *out, void *s) { ad_linear_s8((const ad_linear_s8_t *)p, in, out, s); }
static void maxpool_call(const void *p, const int8_t *in, int8_t *out, void *s) { ad_maxpool2d_s8((const ad_pool_s8_t *)p, in, out, s); }
static void avgpool_call(const void *p, const int8_t *in, int8_t *out, void *s) { ad_avgpool2d_s8((const ad_pool_s8_t *)p, in, out, s); }

static void conv_case(int depthwise)
{
    ad_conv_s8_t p;
    int32_t k_h, k_w, in_h, in_w, in_c, out_c, ch_mult = 1, s_h, s_w, out_h, out_w, pad_t, pad_l, batch;
    for (;;) {
        kernel_shape(&k_h, &k_w);
        batch = next() % 4u == 0u ? range(2, 3) : 1;
        in_h = range(1, 12);
        in_w = next() % 4u == 0u ? 1 : range(1, 12);
        if (next() % 4u == 0u) in_w = k_w; /* the kernel spans the width: patches contiguous in memory */
        in_c = channels();
        if (depthwise) {
            ch_mult = next() % 4u == 0u ? range(2, 3) : 1;
            out_c = in_c * ch_mult;
        } else {
            out_c = channels();
        }
        s_h = next() % 2u ? 1 : range(1, 3);
        s_w = next() % 2u ? 1 : range(1, 3);
        const int same = (int)(next() % 2u);
        if (!same && (in_h < k_h || in_w < k_w)) continue;
        axis(same, in_h, k_h, s_h, &out_h, &pad_t);
        axis(same, in_w, k_w, s_w, &out_w, &pad_l);
        if (out_c > 64) continue;
        const uint32_t nw = depthwise ? (uint32_t)(k_h * k_w * out_c) : (uint32_t)(out_c * k_h * k_w * in_c);
        const uint32_t k = (uint32_t)(k_h * k_w * in_c);
        if ((uint32_t)(batch * in_h * in_w * in_c) > MAX_BYTES || (uint32_t)(batch * out_h * out_w * out_c) > MAX_BYTES ||
            nw > MAX_BYTES || 10u * k + 40u * (uint32_t)out_c + 40u > MAX_BYTES)
            continue;
        break;
    }
    place();
    const uint32_t nx = (uint32_t)(batch * in_h * in_w * in_c), ny = (uint32_t)(batch * out_h * out_w * out_c);
    const uint32_t nw = depthwise ? (uint32_t)(k_h * k_w * out_c) : (uint32_t)(out_c * k_h * k_w * in_c);
    fill_s8(x, nx);
    fill_s8(w, nw);
    const int with_bias = next() % 5u != 0u;
    memset(&p, 0, sizeof p);
    quantisation((uint32_t)out_c, (uint32_t)(k_h * k_w * (depthwise ? 1 : in_c)), with_bias, &p.input_offset, &p.output_offset,
                 &p.act_min, &p.act_max);
    p.weight = w;
    p.bias = with_bias ? bias : NULL;
    p.multiplier = mult;
    p.shift = shift;
    p.batch = (uint16_t)batch; p.in_h = (uint16_t)in_h; p.in_w = (uint16_t)in_w; p.in_c = (uint16_t)in_c;
    p.out_h = (uint16_t)out_h; p.out_w = (uint16_t)out_w; p.out_c = (uint16_t)out_c;
    p.k_h = (uint16_t)k_h; p.k_w = (uint16_t)k_w; p.stride_h = (uint16_t)s_h; p.stride_w = (uint16_t)s_w;
    p.pad_top = (uint16_t)pad_t; p.pad_left = (uint16_t)pad_l; p.ch_mult = (uint16_t)ch_mult;
    ad_s8_conv_loops(&p, x, ref, depthwise);
    const uint32_t k = (uint32_t)(k_h * k_w * in_c);
    char desc[256];
    snprintf(desc, sizeof desc, "B%u in %ux%ux%u k %ux%u s %ux%u pad %u,%u out %ux%ux%u mult %u%s in_off %ld out_off %ld act [%ld,%ld]",
             p.batch, p.in_h, p.in_w, p.in_c, p.k_h, p.k_w, p.stride_h, p.stride_w, p.pad_top, p.pad_left, p.out_h, p.out_w, p.out_c,
             p.ch_mult, p.bias ? "" : " no bias", (long)p.input_offset, (long)p.output_offset, (long)p.act_min, (long)p.act_max);
    if (depthwise)
        check_layer("depthwise_conv2d_s8", desc, dw_call, &p, &p.scratch_bytes, nx, ny, 0u);
    else
        check_layer("conv2d_s8", desc, conv_call, &p, &p.scratch_bytes, nx, ny, 40u * ((k + 3u) / 4u) + 40u * p.out_c);
}

static void linear_case(void)
{
    ad_linear_s8_t p;
    memset(&p, 0, sizeof p);
    place();
    p.batch = (uint32_t)(next() % 4u == 0u ? range(2, 3) : 1);
    p.in = next() % 3u == 0u ? (uint32_t)(16 * range(1, 16)) : (uint32_t)range(1, 300);
    p.units = (uint32_t)range(1, 64);
    if (p.units * p.in > MAX_BYTES) p.units = MAX_BYTES / p.in;
    const int with_bias = next() % 5u != 0u;
    fill_s8(x, p.batch * p.in);
    fill_s8(w, p.units * p.in);
    quantisation(p.units, p.in, with_bias, &p.input_offset, &p.output_offset, &p.act_min, &p.act_max);
    p.weight = w;
    p.bias = with_bias ? bias : NULL;
    p.multiplier = mult;
    p.shift = shift;
    ad_s8_linear_loops(&p, x, ref);
    char desc[256];
    snprintf(desc, sizeof desc, "B%lu in %lu units %lu%s in_off %ld out_off %ld act [%ld,%ld]", (unsigned long)p.batch,
             (unsigned long)p.in, (unsigned long)p.units, with_bias ? "" : " no bias", (long)p.input_offset,
             (long)p.output_offset, (long)p.act_min, (long)p.act_max);
    check_layer("linear_s8", desc, linear_call, &p, &p.scratch_bytes, p.batch * p.in, p.batch * p.units, 2u * p.in);
}

static void pool_case(int average)
{
    ad_pool_s8_t p;
    int32_t k_h, k_w, in_h, in_w, ch, s_h, s_w, out_h, out_w, pad_t, pad_l, batch;
    for (;;) {
        k_h = range(1, 3);
        k_w = range(1, 3);
        batch = range(1, 2);
        in_h = range(1, 9);
        in_w = range(1, 11);
        ch = channels();
        s_h = range(1, 3);
        s_w = range(1, 3);
        const int same = (int)(next() % 2u);
        if (!same && (in_h < k_h || in_w < k_w)) continue;
        axis(same, in_h, k_h, s_h, &out_h, &pad_t);
        axis(same, in_w, k_w, s_w, &out_w, &pad_l);
        if ((uint32_t)(batch * in_h * in_w * ch) > MAX_BYTES) continue;
        break;
    }
    place();
    memset(&p, 0, sizeof p);
    p.act_min = -128;
    p.act_max = 127;
    if (next() % 3u == 0u) {
        p.act_min = range(-128, 0);
        p.act_max = range(p.act_min, 127);
    }
    p.batch = (uint16_t)batch; p.in_h = (uint16_t)in_h; p.in_w = (uint16_t)in_w; p.channels = (uint16_t)ch;
    p.out_h = (uint16_t)out_h; p.out_w = (uint16_t)out_w; p.k_h = (uint16_t)k_h; p.k_w = (uint16_t)k_w;
    p.stride_h = (uint16_t)s_h; p.stride_w = (uint16_t)s_w; p.pad_top = (uint16_t)pad_t; p.pad_left = (uint16_t)pad_l;
    const uint32_t nx = (uint32_t)(batch * in_h * in_w * ch), ny = (uint32_t)(batch * out_h * out_w * ch);
    fill_s8(x, nx);
    ad_s8_pool_loops(&p, x, ref, average);
    char desc[256];
    snprintf(desc, sizeof desc, "B%ld in %ldx%ldx%ld k %ldx%ld s %ldx%ld pad %ld,%ld out %ldx%ld act [%ld,%ld]", (long)batch,
             (long)in_h, (long)in_w, (long)ch, (long)k_h, (long)k_w, (long)s_h, (long)s_w, (long)pad_t, (long)pad_l,
             (long)out_h, (long)out_w, (long)p.act_min, (long)p.act_max);
    check_layer(average ? "avgpool2d_s8" : "maxpool2d_s8", desc, average ? avgpool_call : maxpool_call, &p, &p.scratch_bytes, nx,
                ny, 0u);
}

/* Quantize against the shared loop (roundf) on edge values and random floats of every size. */
static void elementwise_cases(void)
{
    static const float values[] = { 0.0f, -0.0f, 0.5f, -0.5f, 1.5f, -1.5f, 2.5f, -2.5f, 126.5f, 127.5f, -128.5f, -127.5f,
                                    511.9f, 511.5f, -511.5f, 512.0f, -512.0f, 600.0f, -600.0f, 1e30f, -1e30f, 0.49999997f,
                                    -0.49999997f, 0.50000006f, 3.25f, -7.75f, 1e-30f, -1e-30f };
    static float in[512];
    static int8_t q[512], want[512];
    static float back[512], back_ref[512];
    const uint32_t n = sizeof values / sizeof values[0];
    for (uint32_t i = 0; i < n; ++i) in[i] = values[i];
    in[n] = NAN;
    in[n + 1] = INFINITY;
    in[n + 2] = -INFINITY;
    in[n + 3] = -NAN;
    for (uint32_t i = n + 4u; i < 512u; ++i) {
        /* random bits of moderate exponent, and halves */
        uint32_t bits = (next() & 0x807FFFFFu) | ((uint32_t)range(100, 136) << 23);
        float f;
        memcpy(&f, &bits, 4);
        in[i] = i % 3u == 0u ? (float)range(-600, 600) + 0.5f : f;
    }
    static const int32_t zero_points[] = { 0, -128, 127, 5, -3 };
    static const float inv_scales[] = { 1.0f, 2.0f, 0.5f, 10.0f, 0.1f, 3.0f };
    for (uint32_t z = 0; z < 5u; ++z)
        for (uint32_t s = 0; s < 6u; ++s) {
            ++cases;
            ad_quantize_s8(in, q, 512u, inv_scales[s], zero_points[z]);
            ad_s8_quantize_loop(in, want, 512u, inv_scales[s], zero_points[z]);
            for (uint32_t i = 0; i < 512u; ++i)
                if (q[i] != want[i]) {
                    printf("FAIL quantize_s8 x=%.9g inv_scale=%g zp=%ld: got %d want %d\n", (double)in[i], (double)inv_scales[s],
                           (long)zero_points[z], q[i], want[i]);
                    ++failures;
                    break;
                }
            ++cases;
            ad_dequantize_s8(q, back, 512u, 0.125f, zero_points[z]);
            ad_s8_dequantize_loop(q, back_ref, 512u, 0.125f, zero_points[z]);
            if (memcmp(back, back_ref, sizeof back) != 0) {
                printf("FAIL dequantize_s8 zp=%ld\n", (long)zero_points[z]);
                ++failures;
            }
        }
    for (uint32_t c = 0; c < 10u; ++c) {
        ++cases;
        const int32_t lo = range(-128, 20), hi = range(lo, 127);
        const uint32_t len = (uint32_t)range(1, 100);
        place();
        fill_s8(x, len);
        memcpy(xcopy, x, len);
        ad_clamp_s8(x, y, len, lo, hi);
        ad_clamp_s8(x, x, len, lo, hi);
        for (uint32_t i = 0; i < len; ++i) {
            const int32_t v = xcopy[i] < lo ? lo : xcopy[i] > hi ? hi : xcopy[i];
            if (y[i] != v || x[i] != v) {
                printf("FAIL clamp_s8 [%ld,%ld] x=%d\n", (long)lo, (long)hi, xcopy[i]);
                ++failures;
                break;
            }
        }
    }
}

/* The transfer sample's layers (gestures and MNIST backbones) by name, so a regression there is
 * reported as such. */
static void model_cases(void)
{
    static const struct { uint16_t in_h, in_w, in_c, out_c, k_h, k_w, s, pad; } convs[] = {
        { 64, 1, 3, 16, 5, 1, 1, 2 }, { 32, 1, 16, 32, 5, 1, 1, 2 }, { 16, 1, 32, 32, 5, 1, 1, 2 },
        { 28, 28, 1, 16, 3, 3, 2, 0 }, { 13, 13, 16, 32, 3, 3, 2, 0 },
    };
    for (uint32_t i = 0; i < sizeof convs / sizeof convs[0]; ++i) {
        ad_conv_s8_t p;
        memset(&p, 0, sizeof p);
        place();
        p.batch = 1; p.in_h = convs[i].in_h; p.in_w = convs[i].in_w; p.in_c = convs[i].in_c; p.out_c = convs[i].out_c;
        p.k_h = convs[i].k_h; p.k_w = convs[i].k_w; p.stride_h = p.stride_w = convs[i].s; p.pad_top = convs[i].pad;
        p.out_h = (uint16_t)(convs[i].pad ? p.in_h : (p.in_h - p.k_h) / p.stride_h + 1);
        p.out_w = (uint16_t)(convs[i].pad ? p.in_w : (p.in_w - p.k_w) / p.stride_w + 1);
        p.ch_mult = 1;
        const uint32_t nx = (uint32_t)p.in_h * p.in_w * p.in_c, ny = (uint32_t)p.out_h * p.out_w * p.out_c;
        const uint32_t k = (uint32_t)p.k_h * p.k_w * p.in_c;
        fill_s8(x, nx);
        fill_s8(w, k * p.out_c);
        quantisation(p.out_c, k, 1, &p.input_offset, &p.output_offset, &p.act_min, &p.act_max);
        p.act_min = p.output_offset; /* a fused ReLU */
        p.weight = w; p.bias = bias; p.multiplier = mult; p.shift = shift;
        ad_s8_conv_loops(&p, x, ref, 0);
        char desc[64];
        snprintf(desc, sizeof desc, "transfer sample conv %lu", (unsigned long)i);
        check_layer("conv2d_s8", desc, conv_call, &p, &p.scratch_bytes, nx, ny, 40u * ((k + 3u) / 4u) + 40u * p.out_c);
    }
}

int main(void)
{
    elementwise_cases();
    model_cases();
    for (int i = 0; i < 200; ++i) conv_case(0);
    for (int i = 0; i < 100; ++i) conv_case(1);
    for (int i = 0; i < 100; ++i) linear_case();
    for (int i = 0; i < 40; ++i) pool_case(0);
    for (int i = 0; i < 20; ++i) pool_case(1);
    if (failures) printf("FAILED %d of %d cases\n", failures, cases);
    else printf("passed %d cases\n", cases);
    return failures ? 1 : 0;
}
