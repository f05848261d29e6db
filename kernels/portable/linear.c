/*
 * linear.c - portable fully connected kernels (forward, input gradient, weight-gradient rows,
 * bias gradient). Layouts: x [B,in], w [out,in], y [B,out].
 */
#include "autodiff_kernels.h"

void ad_linear_f32(const float *x, const float *w, const float *bias, float *y,
                   uint32_t batch, uint32_t in, uint32_t out)
{
    for (uint32_t b = 0; b < batch; ++b) {
        const float *xb = x + (size_t)b * in;
        for (uint32_t o = 0; o < out; ++o) {
            const float *wo = w + (size_t)o * in;
            float acc = bias ? bias[o] : 0.0f;
            for (uint32_t i = 0; i < in; ++i) acc += xb[i] * wo[i];
            y[(size_t)b * out + o] = acc;
        }
    }
}

void ad_linear_backward_input_f32(const float *dy, const float *w, float *dx,
                                  uint32_t batch, uint32_t in, uint32_t out)
{
    for (uint32_t b = 0; b < batch; ++b) {
        const float *dyb = dy + (size_t)b * out;
        float *dxb = dx + (size_t)b * in;
        for (uint32_t i = 0; i < in; ++i) {
            float acc = 0.0f;
            for (uint32_t o = 0; o < out; ++o) acc += dyb[o] * w[(size_t)o * in + i];
            dxb[i] = acc;
        }
    }
}

void ad_linear_backward_weight_row_f32(const float *dy, const float *x, float *dw_row,
                                       uint32_t batch, uint32_t in, uint32_t out, uint32_t row)
{
    for (uint32_t i = 0; i < in; ++i) {
        float acc = 0.0f;
        for (uint32_t b = 0; b < batch; ++b) acc += dy[(size_t)b * out + row] * x[(size_t)b * in + i];
        dw_row[i] = acc;
    }
}

void ad_bias_backward_f32(const float *dy, float *db, uint32_t rows, uint32_t channels)
{
    for (uint32_t c = 0; c < channels; ++c) {
        float acc = 0.0f;
        for (uint32_t r = 0; r < rows; ++r) acc += dy[(size_t)r * channels + c];
        db[c] = acc;
    }
}
