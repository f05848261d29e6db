/* SPDX-License-Identifier: MIT */
/*
 * test_linear.c - checks kernels/armv7em/linear.c against plain C reference loops, bit for bit,
 * in QEMU (netduinoplus2, Cortex-M4F). Built and run by run.sh.
 *
 * Every operand is regenerated from a hash of (case, array, index), so no reference copy of the
 * weights is needed (784 x 32 weights alone take 100 KB of the board's 128 KB) and inputs can be
 * checked for being left untouched. Each array sits at a case-dependent offset of 0..7 floats, so
 * the kernels see every 4-byte alignment modulo 32 bytes, and is fenced by sentinel words that
 * must survive the call.
 *
 * Exit status 0 when every case matched; otherwise 1 after printing the first mismatch.
 * Build with -DAD7_BENCH=1 (forward) or 2 (SGD), and AD7_IN/AD7_OUT/AD7_BATCH, to get instead a
 * firmware that makes one call between ad_bench_start() and ad_bench_stop() for
 * bench/qemu-insn-count/count.sh; -DAD7_BENCH_REF uses the reference loops there instead.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* The kernels under test (also declared in autodiff_kernels.h; repeated so that this file does
 * not depend on the header's state). */
void ad_linear_f32(const float *x, const float *w, const float *bias, float *y,
                   uint32_t batch, uint32_t in, uint32_t out);
void ad_linear_sgd_f32(float *w, const float *dy, const float *x,
                       uint32_t batch, uint32_t in, uint32_t out, float lr);

/* ---- reference loops: the numerics contract, written plainly ------------------------ */

__attribute__((unused)) static void ref_linear(const float *x, const float *w, const float *bias, float *y,
                       uint32_t batch, uint32_t in, uint32_t out)
{
    for (uint32_t b = 0; b < batch; ++b)
        for (uint32_t o = 0; o < out; ++o) {
            float acc = bias != NULL ? bias[o] : 0.0f;
            for (uint32_t i = 0; i < in; ++i) acc = fmaf(x[b * in + i], w[o * in + i], acc);
            y[b * out + o] = acc;
        }
}

#ifdef AD7_BENCH
/* ---- instruction-count firmware ------------------------------------------------------ */

/* The SGD contract as a plain loop (the test below checks row by row on regenerated weights). */
__attribute__((unused)) static void ref_sgd(float *w, const float *dy, const float *x, uint32_t batch, uint32_t in,
                    uint32_t out, float lr)
{
    for (uint32_t b = 0; b < batch; ++b)
        for (uint32_t o = 0; o < out; ++o) {
            const float c = -(lr * dy[b * out + o]);
            for (uint32_t i = 0; i < in; ++i) w[o * in + i] = w[o * in + i] + c * x[b * in + i];
        }
}


void ad_bench_start(void);
void ad_bench_stop(void);
__attribute__((noipa)) void ad_bench_start(void) { __asm__ volatile(""); }
__attribute__((noipa)) void ad_bench_stop(void) { __asm__ volatile(""); }

static float bx[AD7_BATCH * AD7_IN], bw[AD7_OUT * AD7_IN], bb[AD7_OUT], by[AD7_BATCH * AD7_OUT];

int main(void)
{
    uint32_t s = 1u;
    for (uint32_t i = 0; i < AD7_BATCH * AD7_IN; ++i) bx[i] = (float)((s = s * 1664525u + 1013904223u) >> 8) * 0x1p-24f;
    for (uint32_t i = 0; i < AD7_OUT * AD7_IN; ++i) bw[i] = (float)((s = s * 1664525u + 1013904223u) >> 8) * 0x1p-24f - 0.5f;
    for (uint32_t i = 0; i < AD7_OUT; ++i) bb[i] = 0.25f;
    for (uint32_t i = 0; i < AD7_BATCH * AD7_OUT; ++i) by[i] = 0.125f;
    ad_bench_start();
#if AD7_BENCH == 1
#ifdef AD7_BENCH_REF
    ref_linear(bx, bw, bb, by, AD7_BATCH, AD7_IN, AD7_OUT);
#else
    ad_linear_f32(bx, bw, bb, by, AD7_BATCH, AD7_IN, AD7_OUT);
#endif
#else
#ifdef AD7_BENCH_REF
    ref_sgd(bw, by, bx, AD7_BATCH, AD7_IN, AD7_OUT, 0.01f);
#else
    ad_linear_sgd_f32(bw, by, bx, AD7_BATCH, AD7_IN, AD7_OUT, 0.01f);
#endif
#endif
    ad_bench_stop();
    printf("bench: %s in=%d out=%d batch=%d weights=%d check=%g\n",
           AD7_BENCH == 1 ? "forward" : "sgd", AD7_IN, AD7_OUT, AD7_BATCH, AD7_IN * AD7_OUT,
           (double)(by[0] + bw[AD7_OUT * AD7_IN - 1]));
    return 0;
}

#else
/* ---- correctness test ---------------------------------------------------------------- */

enum { ARR_X = 1, ARR_W, ARR_BIAS, ARR_DY, ARR_LR };

/* A well-mixed 32-bit hash (lowbias32). */
static uint32_t mix(uint32_t v)
{
    v ^= v >> 16; v *= 0x7feb352du;
    v ^= v >> 15; v *= 0x846ca68bu;
    v ^= v >> 16;
    return v;
}

/* Value of element idx of array `arr` in case `cs`: full random mantissa, magnitude 2^-3..2^3,
 * either sign, so that fused and unfused arithmetic (or a changed order) give different bits. */
static float gen(uint32_t cs, uint32_t arr, uint32_t idx)
{
    const uint32_t h = mix(cs * 0x9e3779b9u ^ mix(arr * 0x85ebca6bu ^ mix(idx + 0x1234567u)));
    const float m = 1.0f + (float)(h >> 9) * 0x1p-23f; /* [1, 2) */
    const int e = (int)((h >> 1) & 7u) - 4;              /* -4 .. 3 */
    const float v = ldexpf(m, e);
    return (h & 1u) ? -v : v;
}

static uint32_t bits(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

#define GUARD 4u
#define POOL_FLOATS 27600u
static float pool[POOL_FLOATS] __attribute__((aligned(32)));
static uint32_t pool_used;
static const uint32_t SENTINEL = 0x7fc0de57u;

/* Reserves n floats at an offset of `skew` (0..7) floats from a 32-byte boundary, with GUARD
 * sentinel words on both sides. */
static float *take(uint32_t n, uint32_t skew)
{
    uint32_t start = (pool_used + GUARD + 7u) & ~7u;
    start += skew;
    if (start + n + GUARD > POOL_FLOATS) {
        printf("test: pool too small for %lu floats\n", (unsigned long)n);
        return NULL;
    }
    for (uint32_t k = 1; k <= GUARD; ++k) {
        memcpy(&pool[start - k], &SENTINEL, 4);
        memcpy(&pool[start + n - 1 + k], &SENTINEL, 4);
    }
    pool_used = start + n + GUARD;
    return &pool[start];
}

static int guards_ok(const float *p, uint32_t n)
{
    for (uint32_t k = 1; k <= GUARD; ++k)
        if (bits(p[-(int32_t)k]) != SENTINEL || bits(p[n - 1 + k]) != SENTINEL) return 0;
    return 1;
}

static void fill(float *p, uint32_t n, uint32_t cs, uint32_t arr)
{
    for (uint32_t k = 0; k < n; ++k) p[k] = gen(cs, arr, k);
}

static int unchanged(const float *p, uint32_t n, uint32_t cs, uint32_t arr)
{
    for (uint32_t k = 0; k < n; ++k)
        if (bits(p[k]) != bits(gen(cs, arr, k))) return 0;
    return guards_ok(p, n);
}

static uint32_t cases;

/* Runs both kernels on one shape; returns 0 and prints the case on the first mismatch. */
static int check(uint32_t in, uint32_t out, uint32_t batch, int with_bias)
{
    const uint32_t cs = cases + 1u;
    const uint32_t nw = in * out, nx = batch * in, ny = batch * out;
    float *x, *w, *bias, *y, *dy, *want;
    float lr;

    /* forward */
    pool_used = 0;
    x = take(nx, (cs * 3u) & 7u);
    w = take(nw, (cs * 5u + 1u) & 7u);
    bias = take(out, (cs * 7u + 2u) & 7u);
    y = take(ny, (cs + 3u) & 7u);
    want = take(ny, 0);
    if (!x || !w || !bias || !y || !want) return 0;
    fill(x, nx, cs, ARR_X);
    fill(w, nw, cs, ARR_W);
    fill(bias, out, cs, ARR_BIAS);
    for (uint32_t k = 0; k < ny; ++k) y[k] = -1.0f;
    ad_linear_f32(x, w, with_bias ? bias : NULL, y, batch, in, out);
    ref_linear(x, w, with_bias ? bias : NULL, want, batch, in, out);
    for (uint32_t k = 0; k < ny; ++k)
        if (bits(y[k]) != bits(want[k])) {
            printf("FAIL forward in=%lu out=%lu batch=%lu bias=%d: y[b=%lu,o=%lu] = %.9g (0x%08lx), "
                   "want %.9g (0x%08lx)\n", (unsigned long)in, (unsigned long)out,
                   (unsigned long)batch, with_bias, (unsigned long)(k / out),
                   (unsigned long)(k % out), (double)y[k], (unsigned long)bits(y[k]),
                   (double)want[k], (unsigned long)bits(want[k]));
            return 0;
        }
    if (!guards_ok(y, ny) || !unchanged(x, nx, cs, ARR_X) || !unchanged(w, nw, cs, ARR_W) ||
        !unchanged(bias, out, cs, ARR_BIAS)) {
        printf("FAIL forward in=%lu out=%lu batch=%lu bias=%d: wrote outside y or into an input\n",
               (unsigned long)in, (unsigned long)out, (unsigned long)batch, with_bias);
        return 0;
    }

    /* SGD: the reference runs on regenerated weights, one row at a time, in `want` */
    pool_used = 0;
    w = take(nw, (cs * 3u + 5u) & 7u);
    x = take(nx, (cs * 5u + 6u) & 7u);
    dy = take(ny, (cs * 7u + 7u) & 7u);
    want = take(in, 0);
    if (!x || !w || !dy || !want) return 0;
    fill(w, nw, cs, ARR_W);
    fill(x, nx, cs, ARR_X);
    fill(dy, ny, cs, ARR_DY);
    lr = ldexpf(1.0f + (float)(mix(cs ^ ARR_LR) >> 9) * 0x1p-23f, -(int)(cs % 9u));
    ad_linear_sgd_f32(w, dy, x, batch, in, out, lr);
    for (uint32_t o = 0; o < out; ++o) {
        for (uint32_t i = 0; i < in; ++i) want[i] = gen(cs, ARR_W, o * in + i);
        for (uint32_t b = 0; b < batch; ++b) {
            const float c = -(lr * dy[b * out + o]);
            /* Product rounded, then the sum (-std=c99 never contracts this into a fused multiply-add);
               rows under 16 inputs are the portable kernel's, one fused multiply-add. */
            for (uint32_t i = 0; i < in; ++i)
                want[i] = in < 16u ? fmaf(c, x[b * in + i], want[i]) : want[i] + c * x[b * in + i];
        }
        for (uint32_t i = 0; i < in; ++i)
            if (bits(w[o * in + i]) != bits(want[i])) {
                printf("FAIL sgd in=%lu out=%lu batch=%lu lr=%.9g: w[o=%lu,i=%lu] = %.9g (0x%08lx), "
                       "want %.9g (0x%08lx)\n", (unsigned long)in, (unsigned long)out,
                       (unsigned long)batch, (double)lr, (unsigned long)o, (unsigned long)i,
                       (double)w[o * in + i], (unsigned long)bits(w[o * in + i]),
                       (double)want[i], (unsigned long)bits(want[i]));
                return 0;
            }
    }
    if (!guards_ok(w, nw) || !unchanged(x, nx, cs, ARR_X) || !unchanged(dy, ny, cs, ARR_DY)) {
        printf("FAIL sgd in=%lu out=%lu batch=%lu: wrote outside w or into an input\n",
               (unsigned long)in, (unsigned long)out, (unsigned long)batch);
        return 0;
    }
    ++cases;
    return 1;
}

int main(void)
{
    static const uint32_t big[][3] = {
        { 784, 32, 1 }, { 260, 20, 16 }, { 16, 24, 4 }, { 784, 32, 2 }, { 32, 10, 8 },
        { 129, 15, 3 }, { 8, 8, 1 }, { 1, 1, 1 }, { 1000, 7, 1 }, { 63, 65, 2 },
    };
    for (uint32_t batch = 1; batch <= 5; ++batch)
        for (uint32_t in = 1; in <= 40; ++in)
            for (uint32_t out = 1; out <= 40; ++out)
                if (!check(in, out, batch, (int)((in + out + batch) & 1u))) return 1;
    for (uint32_t k = 0; k < sizeof big / sizeof big[0]; ++k)
        for (int with_bias = 0; with_bias <= 1; ++with_bias)
            if (!check(big[k][0], big[k][1], big[k][2], with_bias)) return 1;
    printf("passed %lu cases\n", (unsigned long)cases);
    return 0;
}
#endif
