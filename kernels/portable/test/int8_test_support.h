/* SPDX-License-Identifier: MIT */
/* ----------------------------------------------------------------------
 * Project:      Autodiff kernels, int8 test harnesses
 * Title:        int8_test_support.h
 * Description:  What the int8 harnesses of the implementations share
 *               (kernels/armv7em/test/test_int8.c, kernels/cmsis/test/test_int8.c):
 *               pseudo-random layers, their reference outputs from the shared C of
 *               kernels/portable/internal/int8_common.h, and the checked run of a layer.
 *
 * Target:       the harnesses' test firmwares (QEMU) and native builds. It lives in a
 *               test/ folder because kernels/<impl>/test/ stays out of the packages.
 * -------------------------------------------------------------------- */
/*
 * A harness defines INT8_TEST_MAX_BYTES (the size of each data buffer) before including this
 * header, describes its cases in an int8_test_profile and calls int8_test_begin() with it before
 * drawing anything. The profile holds what differs between the harnesses, so that each keeps the
 * seed and distributions it always had and draws exactly the cases it drew before:
 *   - seed                 the xorshift32 generator's start (next(), range());
 *   - channels             sizes the kernels branch on, drawn a third of the time (channels());
 *   - kernel_shapes        the kernel sizes conv layers draw from (kernel_shape());
 *   - requantisation       how often shifts are left shifts, zero, or biases near +-2^30
 *                          (quantisation());
 *   - byte_offsets         whether place() moves x, w and y to random byte offsets 0-3 (for
 *                          kernels that take any alignment) or leaves them at the buffers' start.
 *
 * It provides:
 *   - the buffers: inputs x, weights w, outputs y (guarded by a pattern on both sides), the
 *     reference output ref, x_copy, the scratch, and per-channel bias, mult and shift;
 *   - drawing: fill_s8(), channels(), kernel_shape(), the int8_geometry of a conv or pooling
 *     layer with draw_conv_channels() and draw_padding() (valid or TF "same"), quantisation(),
 *     random_activation_range();
 *   - layers: random_conv_layer() and random_linear_layer() (data, requantisation and the
 *     reference output for a geometry the harness drew), pool_case() and clamp_cases() whole,
 *     edge_floats() for the quantisers' inputs;
 *   - checking: check_layer() runs a layer with exactly the scratch it needs, then with one byte
 *     less (it must fall back to the shared C, counted by ad_int8_fallbacks), and checks the
 *     output bit for bit, the guard bytes, the input and the scratch beyond the plan;
 *   - counting: cases, failures, and int8_test_report() for the last line run.sh reads.
 *
 * The functions are static inline, so that a harness that uses only some of them does not warn
 * about the rest.
 */
#ifndef AD_TEST_INT8_TEST_SUPPORT_H
#define AD_TEST_INT8_TEST_SUPPORT_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "autodiff_kernels.h"

#include "../internal/int8_common.h"

#ifndef INT8_TEST_MAX_BYTES
#error "define INT8_TEST_MAX_BYTES (the size of each data buffer) before including int8_test_support.h"
#endif

/* Counts the calls the kernels could not take and gave to the shared C. */
extern uint32_t ad_int8_fallbacks;

/* A kernel size drawn from a set: each entry's height and width are one value (lo == hi) or a
 * range. */
typedef struct {
    int32_t h_lo, h_hi, w_lo, w_hi;
} int8_kernel_shape_range;

/* How requantisations are drawn beyond the common pattern (multipliers in [2^30, 2^31), also
 * exactly 2^30, and shifts that map the typical accumulator onto int8 give or take three bits). */
typedef struct {
    int32_t most_left_shift;        /* one shift in eight is a left shift of 1..most_left_shift, */
    uint32_t left_shift_most_terms; /* on sums of at most this many products */
    uint32_t zero_shift_one_in;     /* one shift in this many is 0 (0: never) */
    uint32_t big_bias_one_in;       /* one bias in this many is near +-2^30 (0: never) */
} int8_requantisation_mix;

typedef struct {
    uint32_t seed;
    int32_t special_channels[8]; /* drawn a third of the time; otherwise 1..most_channels */
    int32_t most_channels;
    const int8_kernel_shape_range *kernel_shapes;
    uint32_t kernel_shape_count;
    int8_requantisation_mix requantisation;
    int byte_offsets;
} int8_test_profile;

#define INT8_TEST_PATTERN 0x5A     /* fills the scratch, which must stay so beyond the plan */
#define INT8_TEST_OUT_PATTERN 0x77 /* fills y, so that every output byte must be written */

static const int8_test_profile *profile;
static uint32_t seed;
static int failures, cases;

/* y has 16 guard bytes after the largest output and room for an offset of 3 before it. */
static int8_t xbuf[INT8_TEST_MAX_BYTES + 4], wbuf[INT8_TEST_MAX_BYTES + 4], ybuf[INT8_TEST_MAX_BYTES + 20];
static int8_t x_copy[INT8_TEST_MAX_BYTES], ref[INT8_TEST_MAX_BYTES];
static int8_t *x = xbuf, *w = wbuf, *y = ybuf;
static int32_t bias[64], mult[64], shift[64];
static uint32_t scratch_words[INT8_TEST_MAX_BYTES / 4u];
static uint8_t *const scratch = (uint8_t *)scratch_words;

static inline void int8_test_begin(const int8_test_profile *p)
{
    profile = p;
    seed = p->seed;
}

static inline uint32_t next(void)
{
    seed ^= seed << 13;
    seed ^= seed >> 17;
    seed ^= seed << 5;
    return seed;
}

static inline int32_t range(int32_t lo, int32_t hi) { return lo + (int32_t)(next() % (uint32_t)(hi - lo + 1)); }

static inline void fill_s8(int8_t *a, uint32_t n)
{
    for (uint32_t i = 0; i < n; ++i) a[i] = (int8_t)range(-128, 127);
}

/* New byte offsets (0-3) for the input, weights and output, when the profile asks for them. */
static inline void place(void)
{
    if (!profile->byte_offsets) return;
    x = xbuf + next() % 4u;
    w = wbuf + next() % 4u;
    y = ybuf + next() % 4u;
}

static inline int32_t channels(void)
{
    return next() % 3u == 0u ? profile->special_channels[next() % 8u] : range(1, profile->most_channels);
}

/* A fixed side takes no number from the generator, so shapes with ranges keep their sequence. */
static inline int32_t kernel_side(int32_t lo, int32_t hi) { return lo == hi ? lo : range(lo, hi); }

static inline void kernel_shape(int32_t *k_h, int32_t *k_w)
{
    const int8_kernel_shape_range *s = &profile->kernel_shapes[next() % profile->kernel_shape_count];
    *k_h = kernel_side(s->h_lo, s->h_hi);
    *k_w = kernel_side(s->w_lo, s->w_hi);
}

/* Output size and leading padding for one axis: valid or TF "same". */
static inline void axis(int same, int32_t in, int32_t k, int32_t s, int32_t *out, int32_t *pad)
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

/* A conv or pooling geometry while a harness draws it, in int32_t so that the bounds arithmetic
 * cannot wrap (for pooling, in_c is the channels and out_c, ch_mult are unused). */
typedef struct {
    int32_t batch, in_h, in_w, in_c, out_c, ch_mult, k_h, k_w, s_h, s_w, out_h, out_w, pad_t, pad_l;
} int8_geometry;

/* Valid or TF "same" padding, drawn, and the output size and leading padding of both axes; 0 when
 * valid padding leaves the kernel no room (the harness draws again). */
static inline int draw_padding(int8_geometry *g)
{
    const int same = (int)(next() % 2u);
    if (!same && (g->in_h < g->k_h || g->in_w < g->k_w)) return 0;
    axis(same, g->in_h, g->k_h, g->s_h, &g->out_h, &g->pad_t);
    axis(same, g->in_w, g->k_w, g->s_w, &g->out_w, &g->pad_l);
    return 1;
}

/* Input channels, and output channels: any for conv, in_c * ch_mult (1-3) for depthwise. */
static inline void draw_conv_channels(int8_geometry *g, int depthwise)
{
    g->in_c = channels();
    if (depthwise) {
        g->ch_mult = next() % 4u == 0u ? range(2, 3) : 1;
        g->out_c = g->in_c * g->ch_mult;
    } else {
        g->ch_mult = 1;
        g->out_c = channels();
    }
}

static inline uint32_t input_bytes(const int8_geometry *g) { return (uint32_t)(g->batch * g->in_h * g->in_w * g->in_c); }
static inline uint32_t conv_output_bytes(const int8_geometry *g) { return (uint32_t)(g->batch * g->out_h * g->out_w * g->out_c); }
static inline uint32_t conv_weight_bytes(const int8_geometry *g, int depthwise)
{
    return depthwise ? (uint32_t)(g->k_h * g->k_w * g->out_c) : (uint32_t)(g->out_c * g->k_h * g->k_w * g->in_c);
}

/* The full int8 range two times in three, else a random narrower one (a fused activation). */
static inline void random_activation_range(int32_t *act_min, int32_t *act_max)
{
    *act_min = -128;
    *act_max = 127;
    if (next() % 3u == 0u) {
        *act_min = range(-128, 0);
        *act_max = range(*act_min, 127);
    }
}

/* Requantisation of `units` channels whose accumulators sum `terms` products (into mult, shift,
 * bias), then random offsets and activation range. */
static inline void quantisation(uint32_t units, uint32_t terms, int with_bias, int32_t *in_off, int32_t *out_off,
                                int32_t *act_min, int32_t *act_max)
{
    const int8_requantisation_mix *mix = &profile->requantisation;
    int32_t bits = 0;
    while ((1u << bits) < terms) ++bits;
    const int32_t base = -(bits / 2 + 7);
    for (uint32_t o = 0; o < units; ++o) {
        mult[o] = next() % 4u == 0u ? 1 << 30 : (int32_t)(0x40000000u + next() % 0x40000000u);
        shift[o] = terms <= mix->left_shift_most_terms && next() % 8u == 0u ? range(1, mix->most_left_shift)
                                                                           : base + range(-3, 3);
        if (mix->zero_shift_one_in != 0u && next() % mix->zero_shift_one_in == 0u) shift[o] = 0;
        bias[o] = with_bias ? range(-20000, 20000) : 0;
        if (with_bias && mix->big_bias_one_in != 0u && next() % mix->big_bias_one_in == 0u) {
            const int32_t big = (int32_t)(0x3FFF0000u + next() % 0x20000u);
            bias[o] = next() % 2u ? big : -big;
        }
    }
    *in_off = range(-127, 128);
    *out_off = range(-128, 127);
    random_activation_range(act_min, act_max);
}

/* The layer of geometry g with random input, weights, bias or none and requantisation, and its
 * reference output in ref. */
static inline void random_conv_layer(ad_conv_s8_t *p, const int8_geometry *g, int depthwise)
{
    fill_s8(x, input_bytes(g));
    fill_s8(w, conv_weight_bytes(g, depthwise));
    const int with_bias = next() % 5u != 0u;
    memset(p, 0, sizeof *p);
    quantisation((uint32_t)g->out_c, (uint32_t)(g->k_h * g->k_w * (depthwise ? 1 : g->in_c)), with_bias, &p->input_offset,
                 &p->output_offset, &p->act_min, &p->act_max);
    p->batch = (uint16_t)g->batch; p->in_h = (uint16_t)g->in_h; p->in_w = (uint16_t)g->in_w; p->in_c = (uint16_t)g->in_c;
    p->out_h = (uint16_t)g->out_h; p->out_w = (uint16_t)g->out_w; p->out_c = (uint16_t)g->out_c;
    p->k_h = (uint16_t)g->k_h; p->k_w = (uint16_t)g->k_w; p->stride_h = (uint16_t)g->s_h; p->stride_w = (uint16_t)g->s_w;
    p->pad_top = (uint16_t)g->pad_t; p->pad_left = (uint16_t)g->pad_l; p->ch_mult = (uint16_t)g->ch_mult;
    p->weight = w;
    p->bias = with_bias ? bias : NULL;
    p->multiplier = mult;
    p->shift = shift;
    ad_s8_conv_loops(p, x, ref, depthwise);
}

/* For the batch, in and units in *p: as random_conv_layer. */
static inline void random_linear_layer(ad_linear_s8_t *p)
{
    const int with_bias = next() % 5u != 0u;
    fill_s8(x, p->batch * p->in);
    fill_s8(w, p->units * p->in);
    quantisation(p->units, p->in, with_bias, &p->input_offset, &p->output_offset, &p->act_min, &p->act_max);
    p->weight = w;
    p->bias = with_bias ? bias : NULL;
    p->multiplier = mult;
    p->shift = shift;
    ad_s8_linear_loops(p, x, ref);
}

static inline void describe_conv(char *buf, size_t size, const ad_conv_s8_t *p)
{
    snprintf(buf, size, "B%u in %ux%ux%u k %ux%u s %ux%u pad %u,%u out %ux%ux%u mult %u%s in_off %ld out_off %ld act [%ld,%ld]",
             p->batch, p->in_h, p->in_w, p->in_c, p->k_h, p->k_w, p->stride_h, p->stride_w, p->pad_top, p->pad_left,
             p->out_h, p->out_w, p->out_c, p->ch_mult, p->bias ? "" : " no bias", (long)p->input_offset,
             (long)p->output_offset, (long)p->act_min, (long)p->act_max);
}

static inline void describe_linear(char *buf, size_t size, const ad_linear_s8_t *p)
{
    snprintf(buf, size, "B%lu in %lu units %lu%s in_off %ld out_off %ld act [%ld,%ld]", (unsigned long)p->batch,
             (unsigned long)p->in, (unsigned long)p->units, p->bias ? "" : " no bias", (long)p->input_offset,
             (long)p->output_offset, (long)p->act_min, (long)p->act_max);
}

typedef void (*layer_fn)(const void *params, const int8_t *x, int8_t *y, void *scratch);

static inline void conv_call(const void *p, const int8_t *in, int8_t *out, void *s) { ad_conv2d_s8((const ad_conv_s8_t *)p, in, out, s); }
static inline void dw_call(const void *p, const int8_t *in, int8_t *out, void *s) { ad_depthwise_conv2d_s8((const ad_conv_s8_t *)p, in, out, s); }
static inline void linear_call(const void *p, const int8_t *in, int8_t *out, void *s) { ad_linear_s8((const ad_linear_s8_t *)p, in, out, s); }
static inline void maxpool_call(const void *p, const int8_t *in, int8_t *out, void *s) { ad_maxpool2d_s8((const ad_pool_s8_t *)p, in, out, s); }
static inline void avgpool_call(const void *p, const int8_t *in, int8_t *out, void *s) { ad_avgpool2d_s8((const ad_pool_s8_t *)p, in, out, s); }

/* Runs one layer on x with `planned` of the `needed` bytes of scratch and checks it against
 * ref[0..ny); returns 0 on a failure (already reported with `what`). */
static inline int run_checked(const char *what, const char *desc, layer_fn fn, void *params, uint32_t *scratch_field,
                              uint32_t nx, uint32_t ny, uint32_t needed, uint32_t planned)
{
    ++cases;
    const int short_plan = planned < needed;
    *scratch_field = planned;
    memset(scratch, INT8_TEST_PATTERN, sizeof scratch_words);
    memset(ybuf, INT8_TEST_OUT_PATTERN, sizeof ybuf);
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
    for (uint32_t i = ny; i < ny + 16u; ++i)
        if ((uint8_t)y[i] != INT8_TEST_OUT_PATTERN) {
            printf("FAIL %s %s: wrote y[%lu] beyond the output\n", what, desc, (unsigned long)i);
            ++failures;
            return 0;
        }
    if (y > ybuf && (uint8_t)y[-1] != INT8_TEST_OUT_PATTERN) {
        printf("FAIL %s %s: wrote y[-1] before the output\n", what, desc);
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
               short_plan ? "ran its own code with too little scratch" : "fell back to the shared C",
               (unsigned long)planned, (unsigned long)needed);
        ++failures;
        return 0;
    }
    for (uint32_t i = short_plan ? 0u : needed; i < sizeof scratch_words; ++i)
        if (scratch[i] != INT8_TEST_PATTERN) {
            printf("FAIL %s %s: wrote scratch[%lu], planned %lu bytes (needs %lu)\n", what, desc, (unsigned long)i,
                   (unsigned long)planned, (unsigned long)needed);
            ++failures;
            return 0;
        }
    return 1;
}

/* The full check of one layer: scratch planned exactly, then (if it needs any) one byte short. */
static inline void check_layer(const char *what, const char *desc, layer_fn fn, void *params, uint32_t *scratch_field,
                               uint32_t nx, uint32_t ny, int32_t needed)
{
    if (needed < 0 || (uint32_t)needed > sizeof scratch_words) {
        ++cases;
        ++failures;
        printf("FAIL %s %s: scratch size %ld out of the test's range\n", what, desc, (long)needed);
        return;
    }
    if (run_checked(what, desc, fn, params, scratch_field, nx, ny, (uint32_t)needed, (uint32_t)needed) && needed > 0)
        (void)run_checked(what, desc, fn, params, scratch_field, nx, ny, (uint32_t)needed, (uint32_t)needed - 1u);
}

/* One random max (average = 0) or average pooling layer with at most most_input_bytes of input,
 * checked with the scratch scratch_needed gives (NULL: none). */
static inline void pool_case(int average, uint32_t most_input_bytes, int32_t (*scratch_needed)(const ad_pool_s8_t *, int))
{
    ad_pool_s8_t p;
    int8_geometry g;
    for (;;) {
        g.k_h = range(1, 3);
        g.k_w = range(1, 3);
        g.batch = range(1, 2);
        g.in_h = range(1, 9);
        g.in_w = range(1, 11);
        g.in_c = channels();
        g.s_h = range(1, 3);
        g.s_w = range(1, 3);
        if (!draw_padding(&g) || input_bytes(&g) > most_input_bytes) continue;
        break;
    }
    place();
    memset(&p, 0, sizeof p);
    random_activation_range(&p.act_min, &p.act_max);
    p.batch = (uint16_t)g.batch; p.in_h = (uint16_t)g.in_h; p.in_w = (uint16_t)g.in_w; p.channels = (uint16_t)g.in_c;
    p.out_h = (uint16_t)g.out_h; p.out_w = (uint16_t)g.out_w; p.k_h = (uint16_t)g.k_h; p.k_w = (uint16_t)g.k_w;
    p.stride_h = (uint16_t)g.s_h; p.stride_w = (uint16_t)g.s_w; p.pad_top = (uint16_t)g.pad_t; p.pad_left = (uint16_t)g.pad_l;
    const uint32_t nx = input_bytes(&g), ny = (uint32_t)(g.batch * g.out_h * g.out_w * g.in_c);
    fill_s8(x, nx);
    ad_s8_pool_loops(&p, x, ref, average);
    char desc[256];
    snprintf(desc, sizeof desc, "B%ld in %ldx%ldx%ld k %ldx%ld s %ldx%ld pad %ld,%ld out %ldx%ld act [%ld,%ld]", (long)g.batch,
             (long)g.in_h, (long)g.in_w, (long)g.in_c, (long)g.k_h, (long)g.k_w, (long)g.s_h, (long)g.s_w, (long)g.pad_t,
             (long)g.pad_l, (long)g.out_h, (long)g.out_w, (long)p.act_min, (long)p.act_max);
    check_layer(average ? "avgpool2d_s8" : "maxpool2d_s8", desc, average ? avgpool_call : maxpool_call, &p, &p.scratch_bytes,
                nx, ny, scratch_needed ? scratch_needed(&p, average) : 0);
}

/* in = the n edge values, then NaN, +inf, -inf and -NaN; returns how many that is (n + 4). */
static inline uint32_t edge_floats(float *in, const float *values, uint32_t n)
{
    for (uint32_t i = 0; i < n; ++i) in[i] = values[i];
    in[n] = NAN;
    in[n + 1] = INFINITY;
    in[n + 2] = -INFINITY;
    in[n + 3] = -NAN;
    return n + 4u;
}

/* Ten random clamps of 1..100 bytes, to another buffer and in place. */
static inline void clamp_cases(void)
{
    for (uint32_t c = 0; c < 10u; ++c) {
        ++cases;
        const int32_t lo = range(-128, 20), hi = range(lo, 127);
        const uint32_t len = (uint32_t)range(1, 100);
        place();
        fill_s8(x, len);
        memcpy(x_copy, x, len);
        ad_clamp_s8(x, y, len, lo, hi);
        ad_clamp_s8(x, x, len, lo, hi); /* in place */
        for (uint32_t i = 0; i < len; ++i) {
            const int32_t want = x_copy[i] < lo ? lo : x_copy[i] > hi ? hi : x_copy[i];
            if (y[i] != want || x[i] != want) {
                printf("FAIL clamp_s8 [%ld,%ld] x=%d: got %d (in place %d) want %ld\n", (long)lo, (long)hi, x_copy[i], y[i],
                       x[i], (long)want);
                ++failures;
                break;
            }
        }
    }
}

/* The last line, which run.sh reads; the value for main to return (QEMU's exit status). */
static inline int int8_test_report(void)
{
    if (failures) printf("FAILED %d of %d cases\n", failures, cases);
    else printf("passed %d cases\n", cases);
    return failures ? 1 : 0;
}

#endif /* AD_TEST_INT8_TEST_SUPPORT_H */
