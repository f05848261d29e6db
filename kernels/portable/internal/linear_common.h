/* SPDX-License-Identifier: MIT */
/*
 * linear_common.h - the fully connected kernels in C that every implementation of the linear
 * family shares: the forward pass and the plain-SGD update (the portable kernels, and what the
 * armv7em kernels fall back to on rows too short for their assembly), and the input, weight and
 * bias gradients. Fused multiply-adds where the FPU has them.
 * Layouts: x [B,in], w [out,in], dy [B,out], all row-major float32.
 *
 * The forward pass and the update stream through W, which dominates a training step. Both take
 * eight rows of W per pass over x, eight inputs at a time: the eight inputs, loaded once, serve
 * 64 weights, eight accumulators (or coefficients) live in FPU registers, and each row's eight
 * weights are loaded back to back with immediate offsets from one pointer advanced once (on a
 * Cortex-M4 consecutive single loads take one cycle, a load with write-back two). The eight-row
 * loops are separate functions so that only their own pointers are live and gcc keeps all of them
 * in core registers. ad_linear_forward_c and ad_linear_sgd_c are not inlined either, so that the
 * portable and the armv7em kernels run the same machine code on the rows both give to C.
 *
 * This header defines external functions of the kernel ABI: exactly one linear.c per firmware
 * includes it.
 */
#ifndef AD_INTERNAL_LINEAR_COMMON_H
#define AD_INTERNAL_LINEAR_COMMON_H

#include "../autodiff_kernels.h"

/* Keeps a helper out of line (register pressure, identical code in every family); a hint only. */
#if defined(__GNUC__)
#define AD_NOINLINE __attribute__((noinline))
/* The cmsis family takes its forward pass from CMSIS-NN, leaving ad_linear_forward_c unused. */
#define AD_MAYBE_UNUSED __attribute__((unused))
#else
#define AD_NOINLINE
#define AD_MAYBE_UNUSED
#endif

/* Rows of W per pass over x. */
#define AD_LINEAR_BLOCK 8u

/* Eight inputs x0..x7 (locals of the loops below) against the next eight weights of one row, the
 * row pointer then advanced once: the loads use immediate offsets, so they run back to back. */
#define AD_DOT_8(acc, w) \
    do { \
        const float t0 = (w)[0], t1 = (w)[1], t2 = (w)[2], t3 = (w)[3]; \
        const float t4 = (w)[4], t5 = (w)[5], t6 = (w)[6], t7 = (w)[7]; \
        acc = AD_FMA(x0, t0, acc); acc = AD_FMA(x1, t1, acc); acc = AD_FMA(x2, t2, acc); acc = AD_FMA(x3, t3, acc); \
        acc = AD_FMA(x4, t4, acc); acc = AD_FMA(x5, t5, acc); acc = AD_FMA(x6, t6, acc); acc = AD_FMA(x7, t7, acc); \
        (w) += 8; \
    } while (0)

#define AD_AXPY_8(c, w) \
    do { \
        const float t0 = (w)[0], t1 = (w)[1], t2 = (w)[2], t3 = (w)[3]; \
        const float t4 = (w)[4], t5 = (w)[5], t6 = (w)[6], t7 = (w)[7]; \
        (w)[0] = AD_FMA(c, x0, t0); (w)[1] = AD_FMA(c, x1, t1); (w)[2] = AD_FMA(c, x2, t2); (w)[3] = AD_FMA(c, x3, t3); \
        (w)[4] = AD_FMA(c, x4, t4); (w)[5] = AD_FMA(c, x5, t5); (w)[6] = AD_FMA(c, x6, t6); (w)[7] = AD_FMA(c, x7, t7); \
        (w) += 8; \
    } while (0)

/* acc[r] += sum_i x[i] * w[r*in + i] for r < 8, over i in increasing order.  x [in], w [8,in]. */
AD_NOINLINE static void ad_dot_8_rows(const float *x, const float *w0, uint32_t in, float acc[8])
{
    const float *w1 = w0 + in, *w2 = w1 + in, *w3 = w2 + in, *w4 = w3 + in, *w5 = w4 + in, *w6 = w5 + in, *w7 = w6 + in;
    float a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3], a4 = acc[4], a5 = acc[5], a6 = acc[6], a7 = acc[7];
    const float *const end8 = x + (in & ~7u), *const end = x + in;
    while (x != end8) {
        const float x0 = x[0], x1 = x[1], x2 = x[2], x3 = x[3], x4 = x[4], x5 = x[5], x6 = x[6], x7 = x[7];
        x += 8;
        AD_DOT_8(a0, w0); AD_DOT_8(a1, w1); AD_DOT_8(a2, w2); AD_DOT_8(a3, w3);
        AD_DOT_8(a4, w4); AD_DOT_8(a5, w5); AD_DOT_8(a6, w6); AD_DOT_8(a7, w7);
    }
    while (x != end) {
        const float u = *x++;
        a0 = AD_FMA(u, *w0++, a0); a1 = AD_FMA(u, *w1++, a1); a2 = AD_FMA(u, *w2++, a2); a3 = AD_FMA(u, *w3++, a3);
        a4 = AD_FMA(u, *w4++, a4); a5 = AD_FMA(u, *w5++, a5); a6 = AD_FMA(u, *w6++, a6); a7 = AD_FMA(u, *w7++, a7);
    }
    acc[0] = a0; acc[1] = a1; acc[2] = a2; acc[3] = a3; acc[4] = a4; acc[5] = a5; acc[6] = a6; acc[7] = a7;
}

/* w[r*in + i] += c[r] * x[i] for r < 8, i < in.  x [in], w [8,in]. */
AD_NOINLINE static void ad_axpy_8_rows(const float *x, float *w0, uint32_t in, const float c[8])
{
    float *w1 = w0 + in, *w2 = w1 + in, *w3 = w2 + in, *w4 = w3 + in, *w5 = w4 + in, *w6 = w5 + in, *w7 = w6 + in;
    const float c0 = c[0], c1 = c[1], c2 = c[2], c3 = c[3], c4 = c[4], c5 = c[5], c6 = c[6], c7 = c[7];
    const float *const end8 = x + (in & ~7u), *const end = x + in;
    while (x != end8) {
        const float x0 = x[0], x1 = x[1], x2 = x[2], x3 = x[3], x4 = x[4], x5 = x[5], x6 = x[6], x7 = x[7];
        x += 8;
        AD_AXPY_8(c0, w0); AD_AXPY_8(c1, w1); AD_AXPY_8(c2, w2); AD_AXPY_8(c3, w3);
        AD_AXPY_8(c4, w4); AD_AXPY_8(c5, w5); AD_AXPY_8(c6, w6); AD_AXPY_8(c7, w7);
    }
    while (x != end) {
        const float u = *x++;
        *w0 = AD_FMA(c0, u, *w0); ++w0; *w1 = AD_FMA(c1, u, *w1); ++w1;
        *w2 = AD_FMA(c2, u, *w2); ++w2; *w3 = AD_FMA(c3, u, *w3); ++w3;
        *w4 = AD_FMA(c4, u, *w4); ++w4; *w5 = AD_FMA(c5, u, *w5); ++w5;
        *w6 = AD_FMA(c6, u, *w6); ++w6; *w7 = AD_FMA(c7, u, *w7); ++w7;
    }
}

/* y[b,o] = sum_i x[b,i] * w[o,i] + bias[o].  x [B,in], w [out,in], bias [out] or NULL, y [B,out].
 * No scratch. One accumulator per output, summed over i in increasing order from the bias (the
 * reference interpreter's order, so results differ from it only by multiply-add contraction). */
AD_NOINLINE AD_MAYBE_UNUSED static void ad_linear_forward_c(const float *x, const float *w, const float *bias, float *y,
                                uint32_t batch, uint32_t in, uint32_t out)
{
    for (uint32_t b = 0; b < batch; ++b) {
        const float *xb = x + (size_t)b * in;
        float *yb = y + (size_t)b * out;
        uint32_t o = 0;
        for (; o + AD_LINEAR_BLOCK <= out; o += AD_LINEAR_BLOCK) {
            float acc[AD_LINEAR_BLOCK];
            for (uint32_t r = 0; r < AD_LINEAR_BLOCK; ++r) acc[r] = bias ? bias[o + r] : 0.0f;
            ad_dot_8_rows(xb, w + (size_t)o * in, in, acc);
            for (uint32_t r = 0; r < AD_LINEAR_BLOCK; ++r) yb[o + r] = acc[r];
        }
        for (; o < out; ++o) {
            const float *wo = w + (size_t)o * in;
            float acc = bias ? bias[o] : 0.0f;
            for (uint32_t i = 0; i < in; ++i) acc = AD_FMA(xb[i], wo[i], acc);
            yb[o] = acc;
        }
    }
}

/* w[o,i] += sum_b (-(lr * dy[b,o])) * x[b,i], the terms added in increasing b.  w [out,in],
 * dy [B,out], x [B,in]. No scratch. */
AD_NOINLINE static void ad_linear_sgd_c(float *w, const float *dy, const float *x,
                            uint32_t batch, uint32_t in, uint32_t out, float lr)
{
    uint32_t o = 0;
    for (; o + AD_LINEAR_BLOCK <= out; o += AD_LINEAR_BLOCK) {
        for (uint32_t b = 0; b < batch; ++b) {
            const float *dyb = dy + (size_t)b * out + o;
            float c[AD_LINEAR_BLOCK];
            for (uint32_t r = 0; r < AD_LINEAR_BLOCK; ++r) c[r] = -(lr * dyb[r]);
            ad_axpy_8_rows(x + (size_t)b * in, w + (size_t)o * in, in, c);
        }
    }
    for (; o < out; ++o) {
        float *wo = w + (size_t)o * in;
        for (uint32_t b = 0; b < batch; ++b) {
            const float *xb = x + (size_t)b * in;
            const float c = -(lr * dy[(size_t)b * out + o]);
            for (uint32_t i = 0; i < in; ++i) wo[i] = AD_FMA(c, xb[i], wo[i]);
        }
    }
}

/* dx[b,i] = sum_o dy[b,o] * w[o,i].  dy [B,out], w [out,in], dx [B,in]. No scratch.
 * Row-oriented: dx_b starts as dy[b,0] * w[0,:] and gains dy[b,o] * w[o,:] for o = 1.. in turn,
 * so W is read row by row (contiguously) and each dx[b,i] still sums over o in increasing order.
 * Four rows of W per pass over dx_b: one load and store of dx per four multiply-adds. */
void ad_linear_backward_input_f32(const float *dy, const float *w, float *dx,
                                  uint32_t batch, uint32_t in, uint32_t out)
{
    for (uint32_t b = 0; b < batch; ++b) {
        const float *dyb = dy + (size_t)b * out;
        float *dxb = dx + (size_t)b * in;
        uint32_t o = 0;
        if (out == 0u) {
            for (uint32_t i = 0; i < in; ++i) dxb[i] = 0.0f;
            continue;
        }
        {
            const float d0 = dyb[0];
            for (uint32_t i = 0; i < in; ++i) dxb[i] = d0 * w[i];
            o = 1;
        }
        for (; o + 4u <= out; o += 4u) {
            const float *w0 = w + (size_t)o * in, *w1 = w0 + in, *w2 = w1 + in, *w3 = w2 + in;
            const float d0 = dyb[o], d1 = dyb[o + 1u], d2 = dyb[o + 2u], d3 = dyb[o + 3u];
            for (uint32_t i = 0; i < in; ++i) {
                float acc = dxb[i];
                acc = AD_FMA(d0, w0[i], acc);
                acc = AD_FMA(d1, w1[i], acc);
                acc = AD_FMA(d2, w2[i], acc);
                acc = AD_FMA(d3, w3[i], acc);
                dxb[i] = acc;
            }
        }
        for (; o < out; ++o) {
            const float *wo = w + (size_t)o * in;
            const float d = dyb[o];
            for (uint32_t i = 0; i < in; ++i) dxb[i] = AD_FMA(d, wo[i], dxb[i]);
        }
    }
}

/* dw[o,i] = sum_b dy[b,o] * x[b,i], summed over b in increasing order.  dy [B,out], x [B,in],
 * dw [out,in]. No scratch. Used only by plans that store gradients; fused plans never form dw. */
void ad_linear_backward_weight_f32(const float *dy, const float *x, float *dw,
                                   uint32_t batch, uint32_t in, uint32_t out)
{
    for (uint32_t o = 0; o < out; ++o) {
        float *dwo = dw + (size_t)o * in;
        if (batch == 0u) {
            for (uint32_t i = 0; i < in; ++i) dwo[i] = 0.0f;
            continue;
        }
        const float d0 = dy[o];
        for (uint32_t i = 0; i < in; ++i) dwo[i] = d0 * x[i];
        for (uint32_t b = 1; b < batch; ++b) {
            const float d = dy[(size_t)b * out + o];
            const float *xb = x + (size_t)b * in;
            for (uint32_t i = 0; i < in; ++i) dwo[i] = AD_FMA(d, xb[i], dwo[i]);
        }
    }
}

/* db[c] = sum_r dy[r,c], summed over r in increasing order.  dy [rows,channels], db [channels]. */
void ad_bias_backward_f32(const float *dy, float *db, uint32_t rows, uint32_t channels)
{
    for (uint32_t c = 0; c < channels; ++c) db[c] = rows > 0u ? dy[c] : 0.0f;
    for (uint32_t r = 1; r < rows; ++r) {
        const float *dyr = dy + (size_t)r * channels;
        for (uint32_t c = 0; c < channels; ++c) db[c] += dyr[c];
    }
}

#endif
