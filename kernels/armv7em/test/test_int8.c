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
 * and random floats, dequantize against its loop, clamp against its formula.
 *
 * The generator, the random layers and the checked run are kernels/portable/test/
 * int8_test_support.h's (shared with the CMSIS harness); this file holds its profile (seed,
 * channel counts, kernel shapes, requantisation, byte offsets) and the geometries only it draws.
 *
 * Prints one line per failing case, then "passed N cases" or "FAILED M of N cases"; main returns
 * 0 only when all passed (semihosting makes that QEMU's exit status).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define INT8_TEST_MAX_BYTES 12288u

#include "../../portable/test/int8_test_support.h"

/* Kernels 1x1, 1xN, Nx1, 2x2, 3x3, 5x1 (the transfer sample's), 3x2. */
static const int8_kernel_shape_range kernel_shapes[] = {
    { 1, 1, 1, 1 }, { 1, 1, 2, 5 }, { 2, 3, 1, 1 }, { 2, 2, 2, 2 }, { 3, 3, 3, 3 }, { 5, 5, 1, 1 }, { 3, 3, 2, 2 },
};

static const int8_test_profile armv7em_profile = {
    .seed = 0x2468ACEu,
    .special_channels = { 1, 3, 4, 8, 16, 32, 12, 5 },
    .most_channels = 40,
    .kernel_shapes = kernel_shapes,
    .kernel_shape_count = sizeof kernel_shapes / sizeof kernel_shapes[0],
    /* left shifts up to 4 on any sum, some zero shifts and biases near +-2^30: the requantisation's
     * fast path (SMMULR) and its C fallback both run */
    .requantisation = { .most_left_shift = 4, .left_shift_most_terms = UINT32_MAX, .zero_shift_one_in = 16u,
                        .big_bias_one_in = 10u },
    .byte_offsets = 1,
};

/* The scratch the engine plans for conv (Armv7emInt8Scratch): 40*ceil(K/4) + 40*out_c bytes. */
static int32_t conv_scratch(const ad_conv_s8_t *p)
{
    const uint32_t k = (uint32_t)p->k_h * p->k_w * p->in_c;
    return (int32_t)(40u * ((k + 3u) / 4u) + 40u * p->out_c);
}

/* One random conv (depthwise = 0) or depthwise conv that fits the buffers. */
static void conv_case(int depthwise)
{
    int8_geometry g;
    for (;;) {
        kernel_shape(&g.k_h, &g.k_w);
        g.batch = next() % 4u == 0u ? range(2, 3) : 1;
        g.in_h = range(1, 12);
        g.in_w = next() % 4u == 0u ? 1 : range(1, 12);
        if (next() % 4u == 0u) g.in_w = g.k_w; /* the kernel spans the width: patches contiguous in memory */
        draw_conv_channels(&g, depthwise);
        g.s_h = next() % 2u ? 1 : range(1, 3);
        g.s_w = next() % 2u ? 1 : range(1, 3);
        if (!draw_padding(&g) || g.out_c > 64) continue;
        const uint32_t k = (uint32_t)(g.k_h * g.k_w * g.in_c);
        if (input_bytes(&g) > INT8_TEST_MAX_BYTES || conv_output_bytes(&g) > INT8_TEST_MAX_BYTES ||
            conv_weight_bytes(&g, depthwise) > INT8_TEST_MAX_BYTES || 10u * k + 40u * (uint32_t)g.out_c + 40u > INT8_TEST_MAX_BYTES)
            continue;
        break;
    }
    place();
    ad_conv_s8_t p;
    random_conv_layer(&p, &g, depthwise);
    char desc[256];
    describe_conv(desc, sizeof desc, &p);
    if (depthwise)
        check_layer("depthwise_conv2d_s8", desc, dw_call, &p, &p.scratch_bytes, input_bytes(&g), conv_output_bytes(&g), 0);
    else
        check_layer("conv2d_s8", desc, conv_call, &p, &p.scratch_bytes, input_bytes(&g), conv_output_bytes(&g), conv_scratch(&p));
}

static void linear_case(void)
{
    ad_linear_s8_t p;
    memset(&p, 0, sizeof p);
    place();
    p.batch = (uint32_t)(next() % 4u == 0u ? range(2, 3) : 1);
    p.in = next() % 3u == 0u ? (uint32_t)(16 * range(1, 16)) : (uint32_t)range(1, 300);
    p.units = (uint32_t)range(1, 64);
    if (p.units * p.in > INT8_TEST_MAX_BYTES) p.units = INT8_TEST_MAX_BYTES / p.in;
    random_linear_layer(&p);
    char desc[256];
    describe_linear(desc, sizeof desc, &p);
    check_layer("linear_s8", desc, linear_call, &p, &p.scratch_bytes, p.batch * p.in, p.batch * p.units, (int32_t)(2u * p.in));
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
    for (uint32_t i = edge_floats(in, values, sizeof values / sizeof values[0]); i < 512u; ++i) {
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
        check_layer("conv2d_s8", desc, conv_call, &p, &p.scratch_bytes, nx, ny, conv_scratch(&p));
    }
}

int main(void)
{
    int8_test_begin(&armv7em_profile);
    elementwise_cases();
    clamp_cases();
    model_cases();
    for (int i = 0; i < 200; ++i) conv_case(0);
    for (int i = 0; i < 100; ++i) conv_case(1);
    for (int i = 0; i < 100; ++i) linear_case();
    for (int i = 0; i < 40; ++i) pool_case(0, INT8_TEST_MAX_BYTES, NULL);
    for (int i = 0; i < 20; ++i) pool_case(1, INT8_TEST_MAX_BYTES, NULL);
    return int8_test_report();
}
