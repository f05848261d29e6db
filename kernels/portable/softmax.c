/* SPDX-License-Identifier: MIT */
/*
 * softmax.c - portable softmax / log-softmax along one axis of a tensor viewed as
 * [outer, n, inner]: element (o, i, j) sits at (o * n + i) * inner + j, and the kernels normalise
 * along n. Each normalisation is written once, for one vector of n elements `stride` floats apart
 * (stride = inner; 1 for the last axis).
 */
#include <math.h>

#include "autodiff_kernels.h"

static float strided_max(const float *xs, uint32_t n, size_t stride)
{
    float max = xs[0];
    for (uint32_t i = 1; i < n; ++i) max = xs[i * stride] > max ? xs[i * stride] : max;
    return max;
}

static void log_softmax_vector(const float *xs, float *ys, uint32_t n, size_t stride)
{
    const float max = strided_max(xs, n, stride);
    float sum = 0.0f;
    for (uint32_t i = 0; i < n; ++i) sum += expf(xs[i * stride] - max);
    const float log_sum = logf(sum);
    for (uint32_t i = 0; i < n; ++i) ys[i * stride] = xs[i * stride] - max - log_sum;
}

static void log_softmax_backward_vector(const float *dys, const float *ys, float *dxs, uint32_t n, size_t stride)
{
    float sum = 0.0f;
    for (uint32_t i = 0; i < n; ++i) sum += dys[i * stride];
    for (uint32_t i = 0; i < n; ++i) dxs[i * stride] = dys[i * stride] - expf(ys[i * stride]) * sum;
}

static void softmax_vector(const float *xs, float *ys, uint32_t n, size_t stride)
{
    const float max = strided_max(xs, n, stride);
    float sum = 0.0f;
    for (uint32_t i = 0; i < n; ++i) {
        const float e = expf(xs[i * stride] - max);
        ys[i * stride] = e;
        sum += e;
    }
    for (uint32_t i = 0; i < n; ++i) ys[i * stride] /= sum;
}

static void softmax_backward_vector(const float *dys, const float *ys, float *dxs, uint32_t n, size_t stride)
{
    float dot = 0.0f;
    for (uint32_t i = 0; i < n; ++i) dot += dys[i * stride] * ys[i * stride];
    for (uint32_t i = 0; i < n; ++i) dxs[i * stride] = ys[i * stride] * (dys[i * stride] - dot);
}

enum vector_op { LOG_SOFTMAX, LOG_SOFTMAX_BACKWARD, SOFTMAX, SOFTMAX_BACKWARD };

/* Applies op to every vector along n of [outer, n, inner] tensors: the forward ops read a (x) and
 * write out (y); the backward ops read a (dy) and b (y) and write out (dx). */
static void each_vector(enum vector_op op, const float *a, const float *b, float *out,
                        uint32_t outer, uint32_t n, uint32_t inner)
{
    for (uint32_t o = 0; o < outer; ++o)
        for (uint32_t j = 0; j < inner; ++j) {
            const size_t start = (size_t)o * n * inner + j;
            switch (op) {
            case LOG_SOFTMAX: log_softmax_vector(a + start, out + start, n, inner); break;
            case LOG_SOFTMAX_BACKWARD: log_softmax_backward_vector(a + start, b + start, out + start, n, inner); break;
            case SOFTMAX: softmax_vector(a + start, out + start, n, inner); break;
            case SOFTMAX_BACKWARD: softmax_backward_vector(a + start, b + start, out + start, n, inner); break;
            }
        }
}

void ad_log_softmax_f32(const float *x, float *y, uint32_t outer, uint32_t n, uint32_t inner)
{
    each_vector(LOG_SOFTMAX, x, NULL, y, outer, n, inner);
}

void ad_log_softmax_backward_f32(const float *dy, const float *y, float *dx,
                                 uint32_t outer, uint32_t n, uint32_t inner)
{
    each_vector(LOG_SOFTMAX_BACKWARD, dy, y, dx, outer, n, inner);
}

void ad_softmax_f32(const float *x, float *y, uint32_t outer, uint32_t n, uint32_t inner)
{
    each_vector(SOFTMAX, x, NULL, y, outer, n, inner);
}

void ad_softmax_backward_f32(const float *dy, const float *y, float *dx,
                             uint32_t outer, uint32_t n, uint32_t inner)
{
    each_vector(SOFTMAX_BACKWARD, dy, y, dx, outer, n, inner);
}
