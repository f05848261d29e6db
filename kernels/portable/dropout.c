/* SPDX-License-Identifier: MIT */
/*
 * dropout.c - portable inverted dropout with a counter-based mask.
 * Element i of training step s is kept when bits(key(seed, s), i) >= threshold, where
 * threshold = floor(p * 2^32); kept values are multiplied by scale = 1 / (1 - p). The mask is a
 * pure function of (seed, step, i), so the backward kernel recomputes it and no mask is stored.
 * The hash must stay identical to DropoutMask in the engine (Ops/Dropout.cs).
 */
#include "autodiff_kernels.h"

/* murmur3's 32-bit finaliser: every input bit affects every output bit. */
static uint32_t ad_dropout_mix(uint32_t h)
{
    h ^= h >> 16;
    h *= 0x85EBCA6Bu;
    h ^= h >> 13;
    h *= 0xC2B2AE35u;
    h ^= h >> 16;
    return h;
}

static void ad_dropout_apply(const float *x, float *y, uint32_t n, uint32_t seed, uint32_t step,
                             uint32_t threshold, float scale)
{
    uint32_t key = ad_dropout_mix(seed ^ ad_dropout_mix(step + 0x9E3779B9u));
    for (uint32_t i = 0; i < n; ++i) {
        /* Consecutive elements walk a Weyl sequence through the mixer. */
        uint32_t bits = ad_dropout_mix(key + i * 0x9E3779B9u);
        y[i] = bits >= threshold ? x[i] * scale : 0.0f;
    }
}

void ad_dropout_f32(const float *x, float *y, uint32_t n, uint32_t seed, uint32_t step,
                    uint32_t threshold, float scale)
{
    ad_dropout_apply(x, y, n, seed, step, threshold, scale);
}

void ad_dropout_backward_f32(const float *dy, float *dx, uint32_t n, uint32_t seed, uint32_t step,
                             uint32_t threshold, float scale)
{
    ad_dropout_apply(dy, dx, n, seed, step, threshold, scale);
}
