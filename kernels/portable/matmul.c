/* SPDX-License-Identifier: MIT */
/*
 * matmul.c - portable batched matrix products (layouts and batching in
 * internal/batched_matmul.h): every product is a plain strided loop.
 */
#include "autodiff_kernels.h"

/* The kernels of this family, over ad_matrix_product below. */
#include "internal/batched_matmul.h"

static void ad_matrix_product(enum ad_product kind, const float *x, const float *y, float *out,
                              uint32_t m, uint32_t k, uint32_t n, int accumulate)
{
    switch (kind) {
    case AD_AB:
        ad_strided_product(x, k, 1u, y, n, 1u, out, m, k, n, accumulate);
        return;
    case AD_ABT:
        /* da [m,k] = dc [m,n] * b^T, b stored [k,n]. */
        ad_strided_product(x, n, 1u, y, 1u, n, out, m, n, k, accumulate);
        return;
    case AD_ATB:
        /* db [k,n] = a^T * dc [m,n], a stored [m,k]. */
        ad_strided_product(x, 1u, k, y, n, 1u, out, k, m, n, accumulate);
        return;
    }
}
