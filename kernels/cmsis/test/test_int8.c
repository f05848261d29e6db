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
 * The generator, the random layers and the checked run are kernels/portable/test/
 * int8_test_support.h's (shared with the Armv7E-M harness); this file holds its profile (seed,
 * channel counts, kernel shapes, requantisation) and the geometries and scratch sizes that are
 * CMSIS-NN's.
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

#define INT8_TEST_MAX_BYTES 8192u

#include "../../portable/test/int8_test_support.h"

/* Kernel shapes: 1x1, 1xN, Nx1, 2x2, 3x3, 3x2. */
static const int8_kernel_shape_range kernel_shapes[] = {
    { 1, 1, 1, 1 }, { 1, 1, 2, 5 }, { 2, 3, 1, 1 }, { 2, 2, 2, 2 }, { 3, 3, 3, 3 }, { 3, 3, 2, 2 },
};

static const int8_test_profile cmsis_profile = {
    .seed = 0x1234567u,
    /* channel counts 1..20, a third of them from the sizes CMSIS-NN's kernels branch on */
    .special_channels = { 1, 4, 8, 16, 3, 12, 20, 17 },
    .most_channels = 20,
    .kernel_shapes = kernel_shapes,
    .kernel_shape_count = sizeof kernel_shapes / sizeof kernel_shapes[0],
    /* a few left shifts, on small sums only */
    .requantisation = { .most_left_shift = 3, .left_shift_most_terms = 64u, .zero_shift_one_in = 0u, .big_bias_one_in = 0u },
    .byte_offsets = 0,
};

/* The scratch CMSIS-NN asks for on this core, as the engine plans it: the wrapper's, except where
 * int8.c avoids CMSIS-NN's Helium 1xN kernel (total padding outside 0..2 or not split TF's way)
 * and runs arm_convolve_s8 (conv) or arm_depthwise_conv_s8 (depthwise of one input channel, which
 * the wrapper would turn into a conv). */
static int32_t conv_scratch(const ad_conv_s8_t *p, int depthwise)
{
    const cmsis_nn_dims input = { p->batch, p->in_h, p->in_w, p->in_c }, output = { p->batch, p->out_h, p->out_w, p->out_c };
    const int32_t total_w = (p->out_w - 1) * p->stride_w + p->k_w - p->in_w;
    const int conv_in_c = depthwise ? 1 : p->in_c;
    int avoid_1xn = p->in_h == 1 && p->k_h == 1 && (p->stride_w * conv_in_c) % 4 == 0 &&
                    !(p->pad_top == 0 && p->pad_left == 0 && p->k_w == 1) &&
                    !(total_w >= 0 && total_w <= 2 && p->pad_left == total_w / 2) && (!depthwise || (p->in_c == 1 && p->out_c > 1));
#if !defined(ARM_MATH_MVEI)
    avoid_1xn = 0;
#endif
    const cmsis_nn_tile stride = { p->stride_w, p->stride_h }, padding = { p->pad_left, p->pad_top }, dilation = { 1, 1 };
    const cmsis_nn_activation activation = { p->act_min, p->act_max };
    if (avoid_1xn) {
        const cmsis_nn_dims filter = { p->out_c, p->k_h, p->k_w, p->in_c };
        return depthwise ? 0 : arm_convolve_s8_get_buffer_size(&input, &filter);
    }
    if (depthwise) {
        const cmsis_nn_dw_conv_params dw = { p->input_offset, p->output_offset, p->ch_mult, stride, padding, dilation, activation };
        const cmsis_nn_dims filter = { 1, p->k_h, p->k_w, p->out_c };
        return arm_depthwise_conv_wrapper_s8_get_buffer_size(&dw, &input, &filter, &output);
    }
    const cmsis_nn_conv_params cv = { p->input_offset, p->output_offset, stride, padding, dilation, activation };
    const cmsis_nn_dims filter = { p->out_c, p->k_h, p->k_w, p->in_c };
    return arm_convolve_wrapper_s8_get_buffer_size(&cv, &input, &filter, &output);
}

/* One random conv (depthwise = 0) or depthwise conv geometry that fits the buffers. */
static void conv_case(int depthwise)
{
    int8_geometry g;
    for (;;) {
        kernel_shape(&g.k_h, &g.k_w);
        g.batch = range(1, 2);
        /* a third of the inputs are one row, CMSIS-NN's 1xN case when the kernel is one row too */
        g.in_h = next() % 3u == 0u ? 1 : range(1, 9);
        g.in_w = range(1, 11);
        draw_conv_channels(&g, depthwise);
        g.s_h = range(1, 3);
        g.s_w = range(1, 3);
        /* depthwise of one input channel on one row: on Helium the wrapper makes it a conv, a 1xN
         * one for strides of 4 */
        if (depthwise && next() % 5u == 0u) {
            g.in_c = 1;
            g.ch_mult = range(2, 3);
            g.out_c = g.ch_mult;
            g.in_h = 1;
            g.k_h = 1;
            g.k_w = range(1, 5);
            g.s_w = next() % 2u == 0u ? 4 : range(1, 3);
        }
        /* one-row input, one-row kernel: half the time whole words per stride step, CMSIS-NN's 1xN kernel */
        if (!depthwise && g.in_h == 1 && g.k_h == 1 && g.in_c % 4 != 0 && next() % 2u == 0u) {
            if (g.in_c % 2 == 0) g.s_w = 2;
            else g.in_c = 4 * range(1, 5);
        }
        if (!draw_padding(&g) || g.out_c > 60) continue;
        if (input_bytes(&g) > INT8_TEST_MAX_BYTES / 2u || conv_output_bytes(&g) > INT8_TEST_MAX_BYTES - 16u ||
            conv_weight_bytes(&g, depthwise) > INT8_TEST_MAX_BYTES)
            continue;
        break;
    }
    ad_conv_s8_t p;
    random_conv_layer(&p, &g, depthwise);
    char desc[256];
    describe_conv(desc, sizeof desc, &p);
    check_layer(depthwise ? "depthwise_conv2d_s8" : "conv2d_s8", desc, depthwise ? dw_call : conv_call, &p,
                &p.scratch_bytes, input_bytes(&g), conv_output_bytes(&g), conv_scratch(&p, depthwise));
}

static void linear_case(void)
{
    ad_linear_s8_t p;
    memset(&p, 0, sizeof p);
    p.batch = (uint32_t)range(1, 2);
    p.in = next() % 3u == 0u ? (uint32_t)(16 * range(1, 4)) : (uint32_t)range(1, 70);
    p.units = (uint32_t)channels();
    random_linear_layer(&p);
    const cmsis_nn_dims filter = { (int32_t)p.in, 1, 1, (int32_t)p.units };
    char desc[256];
    describe_linear(desc, sizeof desc, &p);
    check_layer("linear_s8", desc, linear_call, &p, &p.scratch_bytes, p.batch * p.in, p.batch * p.units,
                arm_fully_connected_s8_get_buffer_size(&filter));
}

/* Average pooling takes arm_avgpool_s8_get_buffer_size's scratch on this core; max pooling none. */
static int32_t pool_scratch(const ad_pool_s8_t *p, int average)
{
    return average ? arm_avgpool_s8_get_buffer_size(p->out_w, p->channels) : 0;
}

/* Quantize and dequantize against their ABI formulas on edge values. */
static void elementwise_cases(void)
{
    static const float values[] = { 0.0f, -0.0f, 0.5f, -0.5f, 1.5f, -1.5f, 2.5f, -2.5f, 126.5f, 127.5f, -128.5f, -127.5f,
                                    511.9f, 600.0f, -600.0f, 1e30f, -1e30f, 0.49999997f, 3.25f, -7.75f };
    float in[24], back[24];
    int8_t q[24];
    const uint32_t total = edge_floats(in, values, sizeof values / sizeof values[0]);
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
    int8_test_begin(&cmsis_profile);
    arithmetic_cases();
    elementwise_cases();
    clamp_cases();
    for (int i = 0; i < 120; ++i) conv_case(0);
    for (int i = 0; i < 100; ++i) conv_case(1);
    for (int i = 0; i < 50; ++i) linear_case();
    for (int i = 0; i < 40; ++i) pool_case(0, INT8_TEST_MAX_BYTES / 2u, pool_scratch);
    for (int i = 0; i < 40; ++i) pool_case(1, INT8_TEST_MAX_BYTES / 2u, pool_scratch);
    return int8_test_report();
}
