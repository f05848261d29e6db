/*
 * broadcast.c - portable broadcasting and its adjoint. Both kernels walk the larger tensor
 * row-major over `rank` dims; the smaller one is addressed through strides that are 0 along the
 * axes where it is repeated.
 *
 * The walk is simplified first (coalesce below), then run as rows: the last axis is a plain
 * loop with a pointer step (a fill or an accumulation into one float when its stride is 0), and
 * only the axes before it carry an index, once per row. The visiting order is unchanged, so the
 * adjoint's sums round exactly as the header promises.
 */
#include "autodiff_kernels.h"

/* Copies the walk to out_dims/out_strides without length-1 axes, merging an axis into the one
 * before it when together they step the strided tensor like one axis (both 0, or outer stride =
 * inner stride * inner length). Returns the new rank, at least 1 (a single element is one axis of
 * length 1), and the element count in *count. */
static uint32_t coalesce(uint32_t rank, const uint32_t *dims, const uint32_t *strides, uint32_t *out_dims,
                         uint32_t *out_strides, size_t *count)
{
    uint32_t r = 0;
    size_t n = 1;
    for (uint32_t d = 0; d < rank; ++d) {
        n *= dims[d];
        if (dims[d] == 1u) continue;
        if (r > 0u && out_strides[r - 1u] == strides[d] * dims[d]) {
            out_dims[r - 1u] *= dims[d];
            out_strides[r - 1u] = strides[d];
        } else {
            out_dims[r] = dims[d];
            out_strides[r] = strides[d];
            ++r;
        }
    }
    if (r == 0u) {
        out_dims[0] = 1u;
        out_strides[0] = 0u;
        r = 1u;
    }
    *count = n;
    return r;
}

/* Steps a row-major index over the first `outer` axes by one and returns the new strided offset. */
static size_t next_row(uint32_t outer, const uint32_t *dims, const uint32_t *strides, uint32_t *index, size_t offset)
{
    uint32_t d = outer;
    while (d-- > 0u) {
        offset += strides[d];
        if (++index[d] < dims[d]) return offset;
        offset -= (size_t)strides[d] * dims[d];
        index[d] = 0;
    }
    return offset;
}

void ad_broadcast_f32(const float *x, float *y, uint32_t rank, const uint32_t *dims, const uint32_t *x_strides)
{
    uint32_t cd[AD_MAX_RANK], cs[AD_MAX_RANK], index[AD_MAX_RANK];
    size_t count, offset = 0;
    uint32_t r = coalesce(rank, dims, x_strides, cd, cs, &count), n = cd[r - 1u], s = cs[r - 1u];

    if (count == 0u) return;
    for (uint32_t d = 0; d + 1u < r; ++d) index[d] = 0;
    for (size_t rows = count / n; rows-- > 0;) {
        const float *p = x + offset;
        if (s == 0u) {
            const float v = *p;
            for (uint32_t j = 0; j < n; ++j) *y++ = v;
        } else {
            for (uint32_t j = 0; j < n; ++j, p += s) *y++ = *p;
        }
        if (rows) offset = next_row(r - 1u, cd, cs, index, offset);
    }
}

void ad_sum_to_shape_f32(const float *x, float *y, uint32_t y_count, uint32_t rank, const uint32_t *dims,
                         const uint32_t *y_strides)
{
    uint32_t cd[AD_MAX_RANK], cs[AD_MAX_RANK], index[AD_MAX_RANK];
    size_t count, offset = 0;
    uint32_t r = coalesce(rank, dims, y_strides, cd, cs, &count), n = cd[r - 1u], s = cs[r - 1u];

    for (uint32_t i = 0; i < y_count; ++i) y[i] = 0.0f;
    if (count == 0u) return;
    for (uint32_t d = 0; d + 1u < r; ++d) index[d] = 0;
    for (size_t rows = count / n; rows-- > 0;) {
        float *p = y + offset;
        if (s == 0u) {
            /* The whole row lands on one float: add in a register, same order and rounding. */
            float acc = *p;
            for (uint32_t j = 0; j < n; ++j) acc += *x++;
            *p = acc;
        } else {
            for (uint32_t j = 0; j < n; ++j, p += s) *p += *x++;
        }
        if (rows) offset = next_row(r - 1u, cd, cs, index, offset);
    }
}
