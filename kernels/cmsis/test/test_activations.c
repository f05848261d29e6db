/* SPDX-License-Identifier: MIT */
/*
 * test_activations.c - checks the activations family of kernels/cmsis/activations.c (ad_relu_f32,
 * ad_relu_backward_f32) against the contract in autodiff_kernels.h, bit for bit, in QEMU. Built
 * and run by run.sh on the cortex-m55 board (CMSIS-NN forward, Helium backward) and on stm32f4.
 *
 * Inputs mix ordinary values with the special ones the contract pins down: +-0, +-inf, NaN,
 * denormals; lengths 0..13 cover every tail of a four-lane vector, and 1152 is conv_momentum's
 * first ReLU. Both kernels run out of place and in place. Helium's floating point flushes
 * denormals to zero (autodiff_kernels.h allows it), so a result passes when it has the exact bits
 * of the contract, or those of the contract evaluated with denormal inputs and results flushed to
 * zero. Prints one line per failing case, then "passed N cases"; main returns 0 only when all
 * passed.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "autodiff_kernels.h"

#define MAX_N 1152u

static float x[MAX_N], y[MAX_N], dy[MAX_N], dx[MAX_N];
static uint32_t seed = 7u;

static float next_value(void)
{
    static const float special[] = { 0.0f, -0.0f, INFINITY, -INFINITY, NAN, 1e-40f, -1e-40f };
    seed = seed * 1664525u + 1013904223u;
    if ((seed >> 28) < 3u) return special[(seed >> 8) % 7u];
    return (float)(seed >> 8) * 0x1p-22f - 2.0f;
}

static int same_bits(float a, float b)
{
    uint32_t ua, ub;
    memcpy(&ua, &a, 4);
    memcpy(&ub, &b, 4);
    return ua == ub || (isnan(a) && isnan(b));
}

static float flush(float v) { return fpclassify(v) == FP_SUBNORMAL ? copysignf(0.0f, v) : v; }

static int failures, cases;

static void check(const char *what, uint32_t n, const float *got, const float *want, const float *want_flushed)
{
    ++cases;
    for (uint32_t i = 0; i < n; ++i)
        if (!same_bits(got[i], want[i]) && !same_bits(got[i], want_flushed[i])) {
            printf("FAIL %s n=%lu [%lu]: got %g want %g\n", what, (unsigned long)n, (unsigned long)i, (double)got[i], (double)want[i]);
            ++failures;
            return;
        }
}

int main(void)
{
    static const uint32_t lengths[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 64, 1152 };
    for (uint32_t li = 0; li < sizeof lengths / sizeof lengths[0]; ++li) {
        const uint32_t n = lengths[li];
        float want_y[MAX_N], want_dx[MAX_N], flushed_y[MAX_N], flushed_dx[MAX_N];
        for (uint32_t i = 0; i < n; ++i) {
            x[i] = next_value();
            dy[i] = next_value();
            want_y[i] = x[i] > 0.0f ? x[i] : 0.0f;
            want_dx[i] = dy[i] * (want_y[i] > 0.0f ? 1.0f : 0.0f);
            const float fx = flush(x[i]);
            flushed_y[i] = flush(fx > 0.0f ? fx : 0.0f);
            flushed_dx[i] = flush(flush(dy[i]) * (flushed_y[i] > 0.0f ? 1.0f : 0.0f));
        }
        ad_relu_f32(x, y, n);
        check("relu", n, y, want_y, flushed_y);
        ad_relu_backward_f32(dy, y, dx, n);
        check("relu_backward", n, dx, want_dx, flushed_dx);
        /* In place, as the generated code runs them. */
        ad_relu_f32(x, x, n);
        check("relu in place", n, x, want_y, flushed_y);
        ad_relu_backward_f32(dy, y, dy, n);
        check("relu_backward in place", n, dy, want_dx, flushed_dx);
    }
    if (failures) printf("FAILED %d of %d cases\n", failures, cases);
    else printf("passed %d cases\n", cases);
    return failures ? 1 : 0;
}
