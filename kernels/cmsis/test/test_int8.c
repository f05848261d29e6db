/* SPDX-License-Identifier: MIT */
/*
 * test_int8.c - checks the int8 family of kernels/cmsis/int8.c (CMSIS-NN's s8 convolution,
 * depthwise convolution, fully connected and pooling kernels) bit for bit against the shared C
 * of kernels/portable/internal/int8_common.h, in QEMU. Built and run by run.sh on cortex-m55
 * (CMSIS-NN's Helium code) and stm32f4 (its DSP-extension code).
 *
 * Geometries are pseudo-random with a fixed seed: batch 1-2, odd and even sizes, strides 1-3,
 * valid and TF "same" padding (the odd extra row/column at bottom/right), channels 1..20 (biased
 * towards multiples of 4 and 16 and towards 1), ch_mult 1-3, kernels 1x1, 1xN, Nx1, 2x2, 3x3
 * and 3x2, one-row inputs (CMSIS-NN's 1xN kernel, and depthwise convs of one channel with
 * strides up to 4, which Helium runs as convs), bias or none; random input/output offsets,
 * activation ranges, multipliers in [2^30, 2^31) (also exactly 2^30, which makes rounding ties)
 * and shifts that put most outputs inside int8 (also a few left shifts). Data is random int8.
 *
 * Each layer gets the scratch CMSIS-NN's own get_buffer_size asks for on this core (what the
 * engine's CmsisNnScratch plans), inside a larger buffer filled with a pattern, and must
 *   - match the shared C exactly (outputs start as a pattern, so every byte must be written),
 *   - run CMSIS-NN, not the shared-C fallback (ad_int8_fallbacks does not move),
 *   - leave the pattern beyond the planned size alone, and its inputs untouched.
 * Every layer needing scratch then runs again with one byte less planned: it must take the
 * fallback (the counter moves), still match, and not touch the scratch at all.
 * Quantize, dequantize and clamp are checked against their ABI formulas on edge values.
 *
 * Prints one line per failing case, then "passed N cases" or "FAILED M of N cases"; main
 * returns 0 only when all passed (semihosting makes that QEMU's exit status).
 *
 * Also builds natively (CMSIS-NN's plain C paths), from the repository root:
 *   gcc -std=c99 -O2 -I kernels/portable -I kernels/cmsis -isystem "$CMSIS_NN_ROOT/Include" \
 *     kernels/cmsis/test/test_int8.c kernels/cmsis/int8.c \
 *     $(sed -n "s|^nn:\([^ #]*\).*$|$CMSIS_NN_ROOT/\1|p" kernels/cmsis/int8.cmsis) -lm && ./a.out
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "autodiff_kernels.h"

#include "arm_nnfunctions.h"
#include "arm_nnsupportfunctions.h"

#include "../../portable/internal/int8_common.h"

extern uint32_t ad_int8_fallbacks;

#define MAX_BYTES 8192u
#define PATTERN 0x5A
#define OUT_PATTERN 0x77

static int8_t x[MAX_BYTES], x_copy[MAX_BYTES], w[MAX_BYTES], y[MAX_BYTES], ref[MAX_BYTES];
static int32_t bias[64], mult[64], shift[64];
static uint32_t scratch_words[MAX_BYTES / 4u];
static uint8_t *const scratch = (uint8_t *)scratch_words;

static uint32_t seed = 0x1234567u;
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

/* Channel counts: 1..20, a third of them from the sizes CMSIS-NN's kernels branch on. */
static int32_t channels(void)
{
    static const int32_t special[] = { 1, 4, 8, 16, 3, 12, 20, 17 };
    return next() % 3u == 0u ? special[next() % 8u] : range(1, 20);
}

/* Requantisation for accumulators of `terms` products: multipliers in [2^30, 2^31), shifts that
 * map the typical accumulator onto int8 give or take a few bits, a few left shifts on small
 * sums, and random offsets and activation range. */
static void quantisation(uint32_t units, uint32_t terms, int with_bias, int32_t *in_off, int32_t *out_off,
                         int32_t *act_min, int32_t *act_max)
{
    int32_t bits = 0;
    while ((1u << bits) < terms) ++bits;
    const int32_t base = -(bits / 2 + 7);
    for (uint32_t o = 0; o < units; ++o) {
        mult[o] = next() % 4u == 0u ? 1 << 30 : (int32_t)(0x40000000u + next() % 0x40000000u);
        shift[o] = terms <= 64u && next() % 8u == 0u ? range(1, 3) : base + range(-3, 3);
        bias[o] = with_bias ? range(-20000, 20000) : 0;
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

/* Output size and leading padding for one axis: valid or TF "same". */
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

/* Kernel shapes: 1x1, 1xN, Nx1, 2x2, 3x3, 3x2. */
static void kernel_shape(int32_t *k_h, int32_t *k_w)
{
    switch (next() % 6u) {
    case 0: *k_h = 1; *k_w = 1; break;
    case 1: *k_h = 1; *k_w = range(2, 5); break;
    case 2: *k_h = range(2, 3); *k_w = 1; break;
    case 3: *k_h = 2; *k_w = 2; break;
    case 4: *k_h = 3; *k_w = 3; break;
    default: *k_h = 3; *k_w = 2; break;
    }
}

typedef void (*layer_fn)(const void *params, const int8_t *x, int8_t *y, void *scratch);

/* Runs one layer with `planned` bytes of scratch (needed = what CMSIS-NN asks for) and checks it
 * against ref[0..ny); returns 0 on a failure (already reported with `what`). */
static int run_checked(const char *what, const char *desc, layer_fn fn, void *params, uint32_t *scratch_field,
                       uint32_t nx, uint32_t ny, uint32_t needed, uint32_t planned)
{
    ++cases;
    const int short_plan = planned < needed;
    *scratch_field = planned;
    memset(scratch, PATTERN, MAX_BYTES);
    memset(y, OUT_PATTERN, MAX_BYTES);
    memcpy(x_copy, x, nx);
    const uint32_t before = ad_int8_fallbacks;
    fn(params, x, y, planned ? scratch : NULL);
    const uint32_t fell_back = ad_int8_fallbacks - before;
    for (uint32_t i = 0; i < ny; ++i)
        if (y[i] != ref[i]) {
            printf("FAIL %s%s %s: y[%lu] = %d, want %d\n", what, short_plan ? " (short scratch)" : "", desc,
                   (unsigned long)i, y[i], ref[i]);
            ++failures;
            return 0;
        }
    for (uint32_t i = ny; i < ny + 16u && i < MAX_BYTES; ++i)
        if ((uint8_t)y[i] != OUT_PATTERN) {
            printf("FAIL %s %s: wrote y[%lu] beyond the output\n", what, desc, (unsigned long)i);
            ++failures;
            return 0;
        }
    if (memcmp(x, x_copy, nx) != 0) {
        printf("FAIL %s %s: changed its input\n", what, desc);
        ++failures;
        return 0;
    }
    if (fell_back != (short_plan ? 1u : 0u)) {
        printf("FAIL %s %s: %s (scratch %lu of %lu bytes)\n", what, desc,
               short_plan ? "ran CMSIS-NN with too little scratch" : "fell back to the shared C",
               (unsigned long)planned, (unsigned long)needed);
        ++failures;
        return 0;
    }
    for (uint32_t i = short_plan ? 0u : needed; i < MAX_BYTES; ++i)
        if (scratch[i] != PATTERN) {
            printf("FAIL %s %s: wrote scratch[%lu], planned %lu bytes (CMSIS-NN asks %lu)\n", what, desc,
                   (unsigned long)i, (unsigned long)planned, (unsigned long)needed);
            ++failures;
            return 0;
        }
    return 1;
}

/* The full check of one layer: planned exactly, then (if it needs scratch) one byte short. */
static void check_layer(const char *what, const char *desc, layer_fn fn, void *params, uint32_t *scratch_field,
                        uint32_t nx, uint32_t ny, int32_t needed)
{
    if (needed < 0 || (uint32_t)needed > MAX_BYTES) {
        ++cases;
        ++failures;
        printf("FAIL %s %s: get_buffer_size %ld out of the test's range\n", what, desc, (long)needed);
        return;
    }
    if (run_checked(what, desc, fn, params, scratch_field, nx, ny, (uint32_t)needed, (uint32_t)needed) && needed > 0)
        (void)run_checked(what, desc, fn, params, scratch_field, nx, ny, (uint32_t)needed, (uint32_t)needed - 1u);
}

static void conv_call(const void *p, const int8_t *in, int8_t *out, void *s) { ad_conv2d_s8((const ad_conv_s8_t *)p, in, out, s); }
static void dw_call(const void *p, const int8_t *in, int8_t *out, void *s) { ad_depthwise_conv2d_s8((const ad_conv_s8_t *)p, in, out, s); }
static void linear_call(const void *p, const int8_t *in, int8_t *out, void *s) { ad_linear_s8((const ad_linear_s8_t *)p, in, out, s); }
static void maxpool_call(const void *p, const int8_t *in, int8_t *out, void *s) { ad_maxpool2d_s8((const ad_pool_s8_t *)p, in, out, s); }
static void avgpool_call(const void *p, const int8_t *in, int8_t *out, void *s) { ad_avgpool2d_s8((const ad_pool_s8_t *)p, in, out, s); }

static void describe_conv(char *buf, size_t size, const ad_conv_s8_t *p)
{
    snprintf(buf, size, "B%u in %ux%ux%u k %ux%u s %ux%u pad %u,%u out %ux%ux%u mult %u%s in_off %ld out_off %ld act [%ld,%ld]",
             p->batch, p->in_h, p->in_w, p->in_c, p->k_h, p->k_w, p->stride_h, p->stride_w, p->pad_top, p->pad_left,
             p->out_h, p->out_w, p->out_c, p->ch_mult, p->bias ? "" : " no bias", (long)p->input_offset,
             (long)p->output_offset, (long)p->act_min, (long)p->act_max);
}

/* One random conv (depthwise = 0) or depthwise conv geometry that fits the buffers. */
static void conv_case(int depthwise)
{
    ad_conv_s8_t p;
    int32_t k_h, k_w, in_h, in_w, in_c, out_c, ch_mult = 1, s_h, s_w, out_h, out_w, pad_t, pad_l, batch;
    for (;;) {
        kernel_shape(&k_h, &k_w);
        batch = range(1, 2);
        /* a third of the inputs are one row, CMSIS-NN's 1xN case when the kernel is one row too */
        in_h = next() % 3u == 0u ? 1 : range(1, 9);
        in_w = range(1, 11);
        in_c = channels();
        if (depthwise) {
            ch_mult = next() % 4u == 0u ? range(2, 3) : 1;
            out_c = in_c * ch_mult;
        } else {
            out_c = channels();
        }
        s_h = range(1, 3);
        s_w = range(1, 3);
        /* depthwise of one input channel on one row: on Helium the wrapper makes it a conv, a 1xN
         * one for strides of 4 */
        if (depthwise && next() % 5u == 0u) {
            in_c = 1;
            ch_mult = range(2, 3);
            out_c = ch_mult;
            in_h = 1;
            k_h = 1;
            k_w = range(1, 5);
            s_w = next() % 2u == 0u ? 4 : range(1, 3);
        }
        /* one-row input, one-row kernel: half the time whole words per stride step, CMSIS-NN's 1xN kernel */
        if (!depthwise && in_h == 1 && k_h == 1 && in_c % 4 != 0 && next() % 2u == 0u) {
            if (in_c % 2 == 0) s_w = 2;
            else in_c = 4 * range(1, 5);
        }
        const int same = (int)(next() % 2u);
        if (!same && (in_h < k_h || in_w < k_w)) continue;
        axis(same, in_h, k_h, s_h, &out_h, &pad_t);
        axis(same, in_w, k_w, s_w, &out_w, &pad_l);
        if (out_c > 60) continue;
        const uint32_t nw = depthwise ? (uint32_t)(k_h * k_w * out_c) : (uint32_t)(out_c * k_h * k_w * in_c);
        if ((uint32_t)(batch * in_h * in_w * in_c) > MAX_BYTES / 2u || (uint32_t)(batch * out_h * out_w * out_c) > MAX_BYTES - 16u ||
            nw > MAX_BYTES)
            continue;
        break;
    }
    const uint32_t nx = (uint32_t)(batch * in_h * in_w * in_c), ny = (uint32_t)(batch * out_h * out_w * out_c);
    const uint32_t nw = depthwise ? (uint32_t)(k_h * k_w * out_c) : (uint32_t)(out_c * k_h * k_w * in_c);
    fill_s8(x, nx);
    fill_s8(w, nw);
    const int with_bias = next() % 5u != 0u;
    memset(&p, 0, sizeof p);
    quantisation((uint32_t)out_c, (uint32_t)(k_h * k_w * (depthwise ? 1 : in_c)), with_bias, &p.input_offset,
                 &p.output_offset, &p.act_min, &p.act_max);
    p.weight = w;
    p.bias = with_bias ? bias : NULL;
    p.multiplier = mult;
    p.shift = shift;
    p.batch = (uint16_t)batch; p.in_h = (uint16_t)in_h; p.in_w = (uint16_t)in_w; p.in_c = (uint16_t)in_c;
    p.out_h = (uint16_t)out_h; p.out_w = (uint16_t)out_w; p.out_c = (uint16_t)out_c;
    p.k_h = (uint16_t)k_h; p.k_w = (uint16_t)k_w; p.stride_h = (uint16_t)s_h; p.stride_w = (uint16_t)s_w;
    p.pad_top = (uint16_t)pad_t; p.pad_left = (uint16_t)pad_l; p.ch_mult = (uint16_t)ch_mult;
    ad_s8_conv_loops(&p, x, ref, depthwise);

    /* The scratch CMSIS-NN asks for on this core, as the engine plans it: the wrapper's, except
     * where int8.c avoids CMSIS-NN's Helium 1xN kernel (total padding outside 0..2 or not split
     * TF's way) and runs arm_convolve_s8 (conv) or arm_depthwise_conv_s8 (depthwise of one input
     * channel, which the wrapper would turn into a conv). */
    const cmsis_nn_dims input = { batch, in_h, in_w, in_c }, output = { batch, out_h, out_w, out_c };
    const int32_t total_w = (out_w - 1) * s_w + k_w - in_w;
    const int conv_in_c = depthwise ? 1 : in_c;
    int avoid_1xn = in_h == 1 && k_h == 1 && (s_w * conv_in_c) % 4 == 0 && !(pad_t == 0 && pad_l == 0 && k_w == 1) &&
                    !(total_w >= 0 && total_w <= 2 && pad_l == total_w / 2) && (!depthwise || (in_c == 1 && out_c > 1));
#if !defined(ARM_MATH_MVEI)
    avoid_1xn = 0;
#endif
    int32_t needed;
    if (avoid_1xn) {
        const cmsis_nn_dims filter = { out_c, k_h, k_w, in_c };
        needed = depthwise ? 0 : arm_convolve_s8_get_buffer_size(&input, &filter);
    } else if (depthwise) {
        const cmsis_nn_dw_conv_params dw = { p.input_offset, p.output_offset, ch_mult, { s_w, s_h }, { pad_l, pad_t }, { 1, 1 }, { p.act_min, p.act_max } };
        const cmsis_nn_dims filter = { 1, k_h, k_w, out_c };
        needed = arm_depthwise_conv_wrapper_s8_get_buffer_size(&dw, &input, &filter, &output);
    } else {
        const cmsis_nn_conv_params cv = { p.input_offset, p.output_offset, { s_w, s_h }, { pad_l, pad_t }, { 1, 1 }, { p.act_min, p.act_max } };
        const cmsis_nn_dims filter = { out_c, k_h, k_w, in_c };
        needed = arm_convolve_wrapper_s8_get_buffer_size(&cv, &input, &filter, &output);
    }
    char desc[256];
    describe_conv(desc, sizeof desc, &p);
    check_layer(depthwise ? "depthwise_conv2d_s8" : "conv2d_s8", desc, depthwise ? dw_call : conv_call, &p,
                &p.scratch_bytes, nx, ny, needed);
}

static void linear_case(void)
{
    ad_linear_s8_t p;
    memset(&p, 0, sizeof p);
    p.batch = (uint32_t)range(1, 2);
    p.in = next() % 3u == 0u ? (uint32_t)(16 * range(1, 4)) : (uint32_t)range(1, 70);
    p.units = (uint32_t)channels();
    const int with_bias = next() % 5u != 0u;
    fill_s8(x, p.batch * p.in);
    fill_s8(w, p.units * p.in);
    quantisation(p.units, p.in, with_bias, &p.input_offset, &p.output_offset, &p.act_min, &p.act_max);
    p.weight = w;
    p.bias = with_bias ? bias : NULL;
    p.multiplier = mult;
    p.shift = shift;
    ad_s8_linear_loops(&p, x, ref);
    const cmsis_nn_dims filter = { (int32_t)p.in, 1, 1, (int32_t)p.units };
    char desc[256];
    snprintf(desc, sizeof desc, "B%lu in %lu units %lu%s in_off %ld out_off %ld act [%ld,%ld]", (unsigned long)p.batch,
             (unsigned long)p.in, (unsigned long)p.units, with_bias ? "" : " no bias", (long)p.input_offset,
             (long)p.output_offset, (long)p.act_min, (long)p.act_max);
    check_layer("linear_s8", desc, linear_call, &p, &p.scratch_bytes, p.batch * p.in, p.batch * p.units,
                arm_fully_connected_s8_get_buffer_size(&filter));
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
        if ((uint32_t)(batch * in_h * in_w * ch) > MAX_BYTES / 2u) continue;
        break;
    }
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
    check_layer(average ? "avgpool2d_s8" : "maxpool2d_s8", desc, average ? avgpool_call : maxpool_call, &p, &p.scratch_bytes,
                nx, ny, average ? arm_avgpool_s8_get_buffer_size(out_w, ch) : 0);
}

/* Quantize, dequantize and clamp against their ABI formulas on edge values. */
static void elementwise_cases(void)
{
    static const float values[] = { 0.0f, -0.0f, 0.5f, -0.5f, 1.5f, -1.5f, 2.5f, -2.5f, 126.5f, 127.5f, -128.5f, -127.5f,
                                    511.9f, 600.0f, -600.0f, 1e30f, -1e30f, 0.49999997f, 3.25f, -7.75f };
    float in[24], back[24];
    int8_t q[24];
    const uint32_t n = sizeof values / sizeof values[0];
    for (uint32_t i = 0; i < n; ++i) in[i] = values[i];
    in[n] = NAN;
    in[n + 1] = INFINITY;
    in[n + 2] = -INFINITY;
    in[n + 3] = -NAN;
    const uint32_t total = n + 4u;
    static const int32_t zero_points[] = { 0, -128, 127, 5, -3 };
    static const float inv_scales[] = { 1.0f, 2.0f, 0.5f, 10.0f };
    for (uint32_t z = 0; z < 5u; ++z)
        for (uint32_t s = 0; s < 4u; ++s) {
            ++cases;
            ad_quantize_s8(in, q, total, inv_scales[s], zero_points[z]);
            for (uint32_t i = 0; i < total; ++i) {
                float v = in[i] * inv_scales[s];
                if (!(v > -512.0f)) v = -512.0f;
                if (v > 512.0f) v = 512.0f;
                /* round half away from zero without roundf: floor(|v| + 0.5) in double, where the sum is exact */
                const double r = v < 0.0f ? -floor(-(double)v + 0.5) : floor((double)v + 0.5);
                int32_t want = (int32_t)r + zero_points[z];
                want = want < -128 ? -128 : want > 127 ? 127 : want;
                if (q[i] != want) {
                    printf("FAIL quantize_s8 x=%.9g inv_scale=%g zp=%ld: got %d want %ld\n", (double)in[i], (double)inv_scales[s],
                           (long)zero_points[z], q[i], (long)want);
                    ++failures;
                    break;
                }
            }
            ++cases;
            ad_dequantize_s8(q, back, total, 0.125f, zero_points[z]);
            for (uint32_t i = 0; i < total; ++i)
                if (back[i] != (float)((int32_t)q[i] - zero_points[z]) * 0.125f) {
                    printf("FAIL dequantize_s8 q=%d zp=%ld: got %g\n", q[i], (long)zero_points[z], (double)back[i]);
                    ++failures;
                    break;
                }
        }
    for (uint32_t c = 0; c < 10u; ++c) {
        ++cases;
        const int32_t lo = range(-128, 20), hi = range(lo, 127);
        const uint32_t len = (uint32_t)range(1, 100);
        fill_s8(x, len);
        memcpy(x_copy, x, len);
        ad_clamp_s8(x, y, len, lo, hi);
        ad_clamp_s8(x, x, len, lo, hi); /* in place */
        for (uint32_t i = 0; i < len; ++i) {
            const int32_t want = x_copy[i] < lo ? lo : x_copy[i] > hi ? hi : x_copy[i];
            if (y[i] != want || x[i] != want) {
                printf("FAIL clamp_s8 [%ld,%ld] x=%d: got %d (in place %d) want %ld\n", (long)lo, (long)hi, x_copy[i], y[i], x[i], (long)want);
                ++failures;
                break;
            }
        }
    }
}

/* The arithmetic itself: hand-worked values, then CMSIS-NN's scalar arm_nn_requantize on random
 * operands, then the average's rounding against exact division. */
static void arithmetic_cases(void)
{
    static const struct { int32_t acc, mult, shift, want; } table[] = {
        { 3, 1 << 30, 0, 2 },          /* 1.5: the doubling high multiply rounds halves up */
        { -3, 1 << 30, 0, -1 },        /* -1.5 up to -1 */
        { 6, 1 << 30, -1, 2 },         /* 3.5 -> 3 (floor of the 64-bit shift), then 3/2: halves away from zero */
        { -6, 1 << 30, -1, -2 },       /* -2.5 -> -3, then -3/2 = -1.5 -> -2 */
        { 5, 1 << 30, -1, 2 },         /* 3, then 1.5 -> 2 */
        { 100, 0x7FFFFFFF, 0, 100 },
        { 100, 0x7FFFFFFF, 2, 400 },
        { -100, 0x7FFFFFFF, -3, -13 }, /* -100, then -12.5 -> -13 */
    };
    for (uint32_t i = 0; i < sizeof table / sizeof table[0]; ++i) {
        ++cases;
        const int32_t got = ad_s8_requantize(table[i].acc, table[i].mult, table[i].shift);
        const int32_t cmsis = arm_nn_requantize(table[i].acc, table[i].mult, table[i].shift);
        if (got != table[i].want || cmsis != table[i].want) {
            printf("FAIL requantize(%ld, %ld, %ld) = %ld, CMSIS-NN %ld, want %ld\n", (long)table[i].acc, (long)table[i].mult,
                   (long)table[i].shift, (long)got, (long)cmsis, (long)table[i].want);
            ++failures;
        }
    }
    ++cases;
    /* and against CMSIS-NN's scalar function on random operands, including wrapping left shifts */
    for (uint32_t i = 0; i < 2000u; ++i) {
        const int32_t acc = (int32_t)next() >> range(0, 20);
        const int32_t m = (int32_t)(0x40000000u + next() % 0x40000000u), s = range(-30, 7);
        if (s > 0 && (acc > (INT32_MAX >> s) || acc < (INT32_MIN >> s))) continue; /* CMSIS-NN's C overflows (undefined) */
        const int32_t got = ad_s8_requantize(acc, m, s), want = arm_nn_requantize(acc, m, s);
        if (got != want) {
            ++failures;
            printf("FAIL requantize(%ld, %ld, %ld) = %ld, CMSIS-NN %ld\n", (long)acc, (long)m, (long)s, (long)got, (long)want);
            return;
        }
    }
    ++cases;
    for (int32_t count = 1; count <= 9; ++count)
        for (int32_t sum = -9 * 128; sum <= 9 * 127; ++sum) {
            const int32_t got = ad_s8_average(sum, count);
            const double exact = (double)sum / count;
            const int32_t want = (int32_t)(exact < 0 ? -floor(-exact + 0.5) : floor(exact + 0.5));
            if (got != want) {
                printf("FAIL average(%ld, %ld) = %ld, want %ld\n", (long)sum, (long)count, (long)got, (long)want);
                ++failures;
                return;
            }
        }
}

int main(void)
{
    arithmetic_cases();
    elementwise_cases();
    for (int i = 0; i < 120; ++i) conv_case(0);
    for (int i = 0; i < 100; ++i) conv_case(1);
    for (int i = 0; i < 50; ++i) linear_case();
    for (int i = 0; i < 40; ++i) pool_case(0);
    for (int i = 0; i < 40; ++i) pool_case(1);
    if (failures) printf("FAILED %d of %d cases\n", failures, cases);
    else printf("passed %d cases\n", cases);
    return failures ? 1 : 0;
}
