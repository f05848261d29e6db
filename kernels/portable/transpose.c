/*
 * transpose.c - portable axis permutation: y's axis i is x's axis perm[i]. Walks y row-major and
 * gathers from x through x's strides taken in permuted order.
 */
#include "autodiff_kernels.h"

void ad_transpose_f32(const float *x, float *y, uint32_t rank, const uint32_t *x_dims, const uint32_t *perm)
{
    uint32_t x_strides[AD_MAX_RANK], dims[AD_MAX_RANK], strides[AD_MAX_RANK], index[AD_MAX_RANK] = {0};
    size_t n = 1, offset = 0;
    uint32_t acc = 1, d;

    for (d = rank; d-- > 0;) {
        x_strides[d] = acc;
        acc *= x_dims[d];
    }
    for (d = 0; d < rank; ++d) {
        dims[d] = x_dims[perm[d]];
        strides[d] = x_strides[perm[d]];
        n *= dims[d];
    }
    for (size_t i = 0; i < n; ++i) {
        y[i] = x[offset];
        d = rank;
        while (d-- > 0) {
            offset += strides[d];
            if (++index[d] < dims[d]) break;
            offset -= (size_t)strides[d] * dims[d];
            index[d] = 0;
        }
    }
}
