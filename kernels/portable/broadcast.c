/*
 * broadcast.c - portable broadcasting and its adjoint. Both kernels walk the larger tensor
 * row-major over `rank` dims; the smaller one is addressed through strides that are 0 along the
 * axes where it is repeated.
 */
#include "autodiff_kernels.h"

/* Steps a row-major index over dims by one element and returns the matching strided offset. */
static size_t advance(uint32_t rank, const uint32_t *dims, const uint32_t *strides, uint32_t *index, size_t offset)
{
    uint32_t d = rank;
    while (d-- > 0) {
        offset += strides[d];
        if (++index[d] < dims[d]) return offset;
        offset -= (size_t)strides[d] * dims[d];
        index[d] = 0;
    }
    return offset;
}

static size_t count_of(uint32_t rank, const uint32_t *dims)
{
    size_t n = 1;
    for (uint32_t d = 0; d < rank; ++d) n *= dims[d];
    return n;
}

void ad_broadcast_f32(const float *x, float *y, uint32_t rank, const uint32_t *dims, const uint32_t *x_strides)
{
    uint32_t index[AD_MAX_RANK] = {0};
    size_t n = count_of(rank, dims), offset = 0;
    for (size_t i = 0; i < n; ++i) {
        y[i] = x[offset];
        offset = advance(rank, dims, x_strides, index, offset);
    }
}

void ad_sum_to_shape_f32(const float *x, float *y, uint32_t y_count, uint32_t rank, const uint32_t *dims,
                         const uint32_t *y_strides)
{
    uint32_t index[AD_MAX_RANK] = {0};
    size_t n = count_of(rank, dims), offset = 0;
    for (uint32_t i = 0; i < y_count; ++i) y[i] = 0.0f;
    for (size_t i = 0; i < n; ++i) {
        y[offset] += x[i];
        offset = advance(rank, dims, y_strides, index, offset);
    }
}
