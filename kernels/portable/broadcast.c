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
static size_t next_plane(uint32_t outer, const uint32_t *dims, const uint32_t *strides, uint32_t *index,
                         size_t offset)
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

/* The coalesced walk as loops: the last axis (n, s) innermost, the one before it (mn, ms) around
 * it, and only further axes (rare after merging) carried in an index once per plane. */
struct loops {
    uint32_t r, n, s, mn, ms;
    size_t planes;
    uint32_t dims[AD_MAX_RANK], strides[AD_MAX_RANK], index[AD_MAX_RANK];
};

static size_t setup(struct loops *l, uint32_t rank, const uint32_t *dims, const uint32_t *strides)
{
    size_t count;
    l->r = coalesce(rank, dims, strides, l->dims, l->strides, &count);
    l->n = l->dims[l->r - 1u];
    l->s = l->strides[l->r - 1u];
    l->mn = l->r > 1u ? l->dims[l->r - 2u] : 1u;
    l->ms = l->r > 1u ? l->strides[l->r - 2u] : 0u;
    l->planes = count ? count / ((size_t)l->n * l->mn) : 0u;
    if (l->r > 2u)
        for (uint32_t d = 0; d + 2u < l->r; ++d) l->index[d] = 0;
    return count;
}

void ad_broadcast_f32(const float *x, float *y, uint32_t rank, const uint32_t *dims, const uint32_t *x_strides)
{
    struct loops l;
    size_t plane = 0;

    if (setup(&l, rank, dims, x_strides) == 0u) return;
    for (size_t q = l.planes;;) {
        const float *row = x + plane;
        for (uint32_t i = 0; i < l.mn; ++i, row += l.ms) {
            const float *p = row;
            if (l.s == 0u) {
                const float v = *p;
                for (uint32_t j = 0; j < l.n; ++j) *y++ = v;
            } else {
                for (uint32_t j = 0; j < l.n; ++j, p += l.s) *y++ = *p;
            }
        }
        if (--q == 0u) break;
        plane = next_plane(l.r - 2u, l.dims, l.strides, l.index, plane);
    }
}

void ad_sum_to_shape_f32(const float *x, float *y, uint32_t y_count, uint32_t rank, const uint32_t *dims,
                         const uint32_t *y_strides)
{
    struct loops l;
    size_t plane = 0;

    for (uint32_t i = 0; i < y_count; ++i) y[i] = 0.0f;
    if (setup(&l, rank, dims, y_strides) == 0u) return;
    for (size_t q = l.planes;;) {
        float *row = y + plane;
        for (uint32_t i = 0; i < l.mn; ++i, row += l.ms) {
            float *p = row;
            if (l.s == 0u) {
                /* The whole row lands on one float: add in a register, same order and rounding. */
                float acc = *p;
                for (uint32_t j = 0; j < l.n; ++j) acc += *x++;
                *p = acc;
            } else {
                for (uint32_t j = 0; j < l.n; ++j, p += l.s) *p += *x++;
            }
        }
        if (--q == 0u) break;
        plane = next_plane(l.r - 2u, l.dims, l.strides, l.index, plane);
    }
}
