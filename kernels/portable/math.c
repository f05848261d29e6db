/*
 * math.c - portable element-wise math functions and their backward kernels. Forward kernels may
 * run in place (y == x); backward kernels may run in place on dy (dx == dy). Each backward
 * kernel takes the forward value named in its header comment (input x or output y).
 */
#include <math.h>

#include "autodiff_kernels.h"

void ad_neg_f32(const float *x, float *y, uint32_t n)
{
    for (uint32_t i = 0; i < n; ++i) y[i] = -x[i];
}

void ad_exp_f32(const float *x, float *y, uint32_t n)
{
    for (uint32_t i = 0; i < n; ++i) y[i] = expf(x[i]);
}

void ad_exp_backward_f32(const float *dy, const float *y, float *dx, uint32_t n)
{
    for (uint32_t i = 0; i < n; ++i) dx[i] = dy[i] * y[i];
}

void ad_log_f32(const float *x, float *y, uint32_t n)
{
    for (uint32_t i = 0; i < n; ++i) y[i] = logf(x[i]);
}

void ad_log_backward_f32(const float *dy, const float *x, float *dx, uint32_t n)
{
    for (uint32_t i = 0; i < n; ++i) dx[i] = dy[i] * (1.0f / x[i]);
}

void ad_sqrt_f32(const float *x, float *y, uint32_t n)
{
    for (uint32_t i = 0; i < n; ++i) y[i] = sqrtf(x[i]);
}

void ad_sqrt_backward_f32(const float *dy, const float *y, float *dx, uint32_t n)
{
    for (uint32_t i = 0; i < n; ++i) dx[i] = dy[i] * (0.5f / y[i]);
}

void ad_sin_f32(const float *x, float *y, uint32_t n)
{
    for (uint32_t i = 0; i < n; ++i) y[i] = sinf(x[i]);
}

void ad_sin_backward_f32(const float *dy, const float *x, float *dx, uint32_t n)
{
    for (uint32_t i = 0; i < n; ++i) dx[i] = dy[i] * cosf(x[i]);
}

void ad_cos_f32(const float *x, float *y, uint32_t n)
{
    for (uint32_t i = 0; i < n; ++i) y[i] = cosf(x[i]);
}

void ad_cos_backward_f32(const float *dy, const float *x, float *dx, uint32_t n)
{
    for (uint32_t i = 0; i < n; ++i) dx[i] = dy[i] * -sinf(x[i]);
}

void ad_pow_f32(const float *x, float *y, uint32_t n, float p)
{
    for (uint32_t i = 0; i < n; ++i) y[i] = powf(x[i], p);
}

void ad_pow_backward_f32(const float *dy, const float *x, float *dx, uint32_t n, float p)
{
    /* x^0 is constant: its derivative is 0 everywhere, including x = 0 where p*x^(p-1) is 0*inf. */
    for (uint32_t i = 0; i < n; ++i) dx[i] = p == 0.0f ? 0.0f : dy[i] * (p * powf(x[i], p - 1.0f));
}
