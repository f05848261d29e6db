/*
 * linear_common.h - the fully connected kernels every implementation of the linear family shares
 * (input gradient, whole weight gradient, bias gradient), in C with fused multiply-adds where the
 * FPU has them. Layouts: x [B,in], w [out,in], dy [B,out], all row-major float32.
 *
 * This header defines external functions of the kernel ABI: exactly one linear.c per firmware
 * includes it.
 */
#ifndef AD_INTERNAL_LINEAR_COMMON_H
#define AD_INTERNAL_LINEAR_COMMON_H

#include "../autodiff_kernels.h"

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
