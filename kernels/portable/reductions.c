/*
 * reductions.c - portable sum / mean / max over a set of axes and their backward kernels.
 * x has `rank` dims; bit d of `mask` marks axis d as reduced. The output holds one value per
 * index of the kept axes, row-major (the same memory with or without keepdims). For each output
 * value the reduced elements are visited in row-major order, which fixes the rounding of sums
 * and makes max pick the first maximum.
 */
#include "autodiff_kernels.h"

/* A strided walk over some of x's axes. */
struct walk {
    uint32_t rank;
    uint32_t dims[AD_MAX_RANK];
    uint32_t strides[AD_MAX_RANK];
    uint32_t index[AD_MAX_RANK];
    size_t count;
};

static void split(uint32_t rank, const uint32_t *dims, uint32_t mask, struct walk *kept, struct walk *reduced)
{
    uint32_t strides[AD_MAX_RANK];
    uint32_t acc = 1, d;

    for (d = rank; d-- > 0;) {
        strides[d] = acc;
        acc *= dims[d];
    }
    kept->rank = reduced->rank = 0;
    kept->count = reduced->count = 1;
    for (d = 0; d < rank; ++d) {
        struct walk *w = (mask >> d) & 1u ? reduced : kept;
        w->dims[w->rank] = dims[d];
        w->strides[w->rank] = strides[d];
        w->index[w->rank] = 0;
        w->rank++;
        w->count *= dims[d];
    }
}

/* Steps the walk by one element; wraps to offset 0 after the last. */
static size_t advance(struct walk *w, size_t offset)
{
    uint32_t d = w->rank;
    while (d-- > 0) {
        offset += w->strides[d];
        if (++w->index[d] < w->dims[d]) return offset;
        offset -= (size_t)w->strides[d] * w->dims[d];
        w->index[d] = 0;
    }
    return offset;
}

enum reduction { RED_SUM, RED_MEAN, RED_MAX };

static void reduce(enum reduction kind, const float *x, float *y, uint32_t rank, const uint32_t *dims, uint32_t mask)
{
    struct walk kept, reduced;
    size_t base = 0;

    split(rank, dims, mask, &kept, &reduced);
    for (size_t o = 0; o < kept.count; ++o) {
        size_t r = 0, offset = 0;
        float acc = 0.0f;
        if (kind == RED_MAX) {
            acc = x[base];
            offset = advance(&reduced, offset);
            r = 1;
        }
        for (; r < reduced.count; ++r) {
            float v = x[base + offset];
            if (kind == RED_MAX) acc = v > acc ? v : acc;
            else acc += v;
            offset = advance(&reduced, offset);
        }
        y[o] = kind == RED_MEAN ? acc / (float)reduced.count : acc;
        base = advance(&kept, base);
    }
}

void ad_reduce_sum_f32(const float *x, float *y, uint32_t rank, const uint32_t *dims, uint32_t mask)
{
    reduce(RED_SUM, x, y, rank, dims, mask);
}

void ad_reduce_mean_f32(const float *x, float *y, uint32_t rank, const uint32_t *dims, uint32_t mask)
{
    reduce(RED_MEAN, x, y, rank, dims, mask);
}

void ad_reduce_max_f32(const float *x, float *y, uint32_t rank, const uint32_t *dims, uint32_t mask)
{
    reduce(RED_MAX, x, y, rank, dims, mask);
}

/* Spreads dy (NULL: 1) over the reduced elements: mean divides by their count. */
static void spread(int mean, const float *dy, float *dx, uint32_t rank, const uint32_t *dims, uint32_t mask)
{
    struct walk kept, reduced;
    size_t base = 0;

    split(rank, dims, mask, &kept, &reduced);
    for (size_t o = 0; o < kept.count; ++o) {
        float g = dy ? dy[o] : 1.0f;
        size_t offset = 0;
        if (mean) g /= (float)reduced.count;
        for (size_t r = 0; r < reduced.count; ++r) {
            dx[base + offset] = g;
            offset = advance(&reduced, offset);
        }
        base = advance(&kept, base);
    }
}

void ad_reduce_sum_backward_f32(const float *dy, float *dx, uint32_t rank, const uint32_t *dims, uint32_t mask)
{
    spread(0, dy, dx, rank, dims, mask);
}

void ad_reduce_mean_backward_f32(const float *dy, float *dx, uint32_t rank, const uint32_t *dims, uint32_t mask)
{
    spread(1, dy, dx, rank, dims, mask);
}

void ad_reduce_max_backward_f32(const float *dy, const float *x, float *dx, uint32_t rank, const uint32_t *dims,
                                uint32_t mask)
{
    struct walk kept, reduced;
    size_t base = 0;

    split(rank, dims, mask, &kept, &reduced);
    for (size_t o = 0; o < kept.count; ++o) {
        size_t offset = 0, best = 0;
        /* Find the first maximum again, then write every element of the group once. */
        for (size_t r = 0; r < reduced.count; ++r) {
            if (x[base + offset] > x[base + best]) best = offset;
            offset = advance(&reduced, offset);
        }
        for (size_t r = 0; r < reduced.count; ++r) {
            dx[base + offset] = offset == best ? (dy ? dy[o] : 1.0f) : 0.0f;
            offset = advance(&reduced, offset);
        }
        base = advance(&kept, base);
    }
}
