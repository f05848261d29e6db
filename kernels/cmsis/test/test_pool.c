/* SPDX-License-Identifier: MIT */
/*
 * test_pool.c - checks the pool family of kernels/cmsis/pool.c (max and average pooling, forward
 * and backward) against plain reference loops written from the contract in autodiff_kernels.h,
 * in QEMU. Built and run by run.sh on the cortex-m55 board (CMSIS-NN forward, Helium backward)
 * and on stm32f4 (CMSIS-NN's scalar forward, the portable backward).
 *
 * Shapes cover 1..9 channels (also non-multiples of 4), windows 1x1, 2x2, 3x3, 3x2, strides
 * equal to, smaller than (overlapping windows) and larger than (gaps) the window, batch 1..3,
 * and conv_momentum's two pools. Data is deterministic pseudo-random in [-1, 1) with repeated
 * values, so ties between taps occur and the first maximum must win. Max pooling and both
 * backward kernels must match exactly (they only compare, copy and add in the contract's order);
 * average pooling within 1e-6 relative (CMSIS-NN multiplies by the reciprocal). Outputs start as
 * NaN, so every element must be written; inputs must be left untouched.
 *
 * Prints one line per failing (shape, function), then "passed N cases" or "FAILED M of N
 * cases"; main returns 0 only when all passed (semihosting makes that QEMU's exit status).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "autodiff_kernels.h"

struct shape { uint32_t batch, in_h, in_w, channels, k_h, k_w, stride_h, stride_w; };

static const struct shape shapes[] = {
    {2, 12, 12, 4, 2, 2, 2, 2}, /* conv_momentum: maxpool */
    {2, 4, 4, 8, 2, 2, 2, 2},   /* conv_momentum: avgpool */
    {1, 5, 5, 1, 1, 1, 1, 1},
    {3, 7, 6, 3, 3, 3, 2, 2},   /* overlapping windows */
    {1, 6, 7, 5, 3, 2, 1, 1},
    {2, 9, 9, 9, 2, 2, 3, 3},   /* gaps between windows */
    {1, 4, 8, 6, 2, 3, 2, 1},
    {2, 5, 5, 7, 3, 3, 1, 2},
};
#define N_SHAPES (sizeof shapes / sizeof shapes[0])
#define MAX_X 1500u

static float x[MAX_X], dy[MAX_X], y[MAX_X], dx[MAX_X], ref[MAX_X];
static uint32_t seed = 12345u;

/* Values in [-1, 1) on a grid of 1/8, so equal values (ties) are common. */
static float next_value(void)
{
    seed = seed * 1664525u + 1013904223u;
    return (float)((int32_t)(seed >> 28) - 8) * 0.125f;
}

static uint32_t out_size(uint32_t in, uint32_t k, uint32_t s) { return (in - k) / s + 1u; }

static int failures, cases;

static void check(const char *what, const struct shape *s, const float *got, const float *want, uint32_t n, float rel)
{
    ++cases;
    for (uint32_t i = 0; i < n; ++i) {
        const float tol = rel * fabsf(want[i]);
        if (!(fabsf(got[i] - want[i]) <= tol)) {
            printf("FAIL %s batch=%lu in=%lux%lux%lu k=%lux%lu s=%lux%lu: [%lu] got %g want %g\n", what,
                   (unsigned long)s->batch, (unsigned long)s->in_h, (unsigned long)s->in_w, (unsigned long)s->channels,
                   (unsigned long)s->k_h, (unsigned long)s->k_w, (unsigned long)s->stride_h, (unsigned long)s->stride_w,
                   (unsigned long)i, (double)got[i], (double)want[i]);
            ++failures;
            return;
        }
    }
}

static void fill_nan(float *a, uint32_t n) { for (uint32_t i = 0; i < n; ++i) a[i] = NAN; }

int main(void)
{
    for (uint32_t si = 0; si < N_SHAPES; ++si) {
        const struct shape *s = &shapes[si];
        const uint32_t oh = out_size(s->in_h, s->k_h, s->stride_h), ow = out_size(s->in_w, s->k_w, s->stride_w);
        const uint32_t c = s->channels, nx = s->batch * s->in_h * s->in_w * c, ny = s->batch * oh * ow * c;
        for (uint32_t i = 0; i < nx; ++i) x[i] = next_value();
        for (uint32_t i = 0; i < ny; ++i) dy[i] = next_value();
        float x_copy[MAX_X], dy_copy[MAX_X];
        memcpy(x_copy, x, sizeof x);
        memcpy(dy_copy, dy, sizeof dy);
        const uint32_t args[] = { s->batch, s->in_h, s->in_w, c, oh, ow, s->k_h, s->k_w, s->stride_h, s->stride_w };
        (void)args;

        for (int avg = 0; avg <= 1; ++avg) {
            /* Reference forward and backward from the contract. */
            memset(ref, 0, sizeof ref);
            float ref_dx[MAX_X];
            memset(ref_dx, 0, sizeof ref_dx);
            for (uint32_t b = 0; b < s->batch; ++b)
                for (uint32_t i = 0; i < oh; ++i)
                    for (uint32_t j = 0; j < ow; ++j)
                        for (uint32_t ch = 0; ch < c; ++ch) {
                            const uint32_t o = ((b * oh + i) * ow + j) * c + ch;
                            float best = 0.0f, sum = 0.0f;
                            uint32_t at = 0;
                            int first = 1;
                            for (uint32_t kh = 0; kh < s->k_h; ++kh)
                                for (uint32_t kw = 0; kw < s->k_w; ++kw) {
                                    const uint32_t t = ((b * s->in_h + i * s->stride_h + kh) * s->in_w + j * s->stride_w + kw) * c + ch;
                                    sum += x[t];
                                    if (first || x[t] > best) { best = x[t]; at = t; first = 0; }
                                }
                            const float n = (float)(s->k_h * s->k_w);
                            ref[o] = avg ? sum / n : best;
                            if (avg) {
                                for (uint32_t kh = 0; kh < s->k_h; ++kh)
                                    for (uint32_t kw = 0; kw < s->k_w; ++kw)
                                        ref_dx[((b * s->in_h + i * s->stride_h + kh) * s->in_w + j * s->stride_w + kw) * c + ch] += dy[o] / n;
                            } else {
                                ref_dx[at] += dy[o];
                            }
                        }
            fill_nan(y, ny);
            fill_nan(dx, nx);
            if (avg) {
                ad_avgpool2d_f32(x, y, s->batch, s->in_h, s->in_w, c, oh, ow, s->k_h, s->k_w, s->stride_h, s->stride_w);
                ad_avgpool2d_backward_f32(dy, dx, s->batch, s->in_h, s->in_w, c, oh, ow, s->k_h, s->k_w, s->stride_h, s->stride_w);
            } else {
                ad_maxpool2d_f32(x, y, s->batch, s->in_h, s->in_w, c, oh, ow, s->k_h, s->k_w, s->stride_h, s->stride_w);
                ad_maxpool2d_backward_f32(dy, x, dx, s->batch, s->in_h, s->in_w, c, oh, ow, s->k_h, s->k_w, s->stride_h, s->stride_w);
            }
            /* The window sums above add in the contract's order but shares of overlapping windows
             * accumulate in the same order too, so only the forward average may differ (reciprocal). */
            check(avg ? "avgpool2d" : "maxpool2d", s, y, ref, ny, avg ? 1e-6f : 0.0f);
            check(avg ? "avgpool2d_backward" : "maxpool2d_backward", s, dx, ref_dx, nx, avg ? 1e-6f : 0.0f);
            ++cases;
            if (memcmp(x, x_copy, sizeof x) != 0 || memcmp(dy, dy_copy, sizeof dy) != 0) {
                printf("FAIL %s changed its inputs (shape %lu)\n", avg ? "avgpool2d" : "maxpool2d", (unsigned long)si);
                ++failures;
            }
        }
    }
    if (failures) printf("FAILED %d of %d cases\n", failures, cases);
    else printf("passed %d cases\n", cases);
    return failures ? 1 : 0;
}
