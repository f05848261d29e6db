/*
 * reductions.c - portable sum / mean / max over a set of axes and their backward kernels.
 * x has `rank` dims; bit d of `mask` marks axis d as reduced. The output holds one value per
 * index of the kept axes, row-major (the same memory with or without keepdims). For each output
 * value the reduced elements are visited in row-major order, which fixes the rounding of sums
 * and makes max pick the first maximum.
 *
 * x's axes are split into two strided walks, the kept and the reduced ones, and each walk is
 * simplified (length-1 axes dropped, neighbours merged when they step x like one axis) without
 * changing its order. Both walks then run as rows: the last axis is a plain pointer loop and only
 * the axes before it carry an index, once per row, so small shapes cost a few instructions per
 * element instead of an index carry per element.
 */
#include "autodiff_kernels.h"

/* A strided walk over some of x's axes, as rows of dims[rank-1] elements (rank >= 1). */
struct walk {
    uint32_t rank;
    uint32_t dims[AD_MAX_RANK];
    uint32_t strides[AD_MAX_RANK];
    size_t count; /* elements */
    size_t rows;  /* count / dims[rank-1], 0 when count is 0 */
};

/* Appends axis (n, s) to w, merging it into w's last axis when the two step x like one. */
static void push(struct walk *w, uint32_t n, uint32_t s)
{
    w->count *= n;
    if (n == 1u) return;
    if (w->rank > 0u && w->strides[w->rank - 1u] == s * n) {
        w->dims[w->rank - 1u] *= n;
        w->strides[w->rank - 1u] = s;
    } else {
        w->dims[w->rank] = n;
        w->strides[w->rank] = s;
        w->rank++;
    }
}

static void finish(struct walk *w)
{
    if (w->rank == 0u) { /* no axes (or only length 1): one element */
        w->dims[0] = 1u;
        w->strides[0] = 0u;
        w->rank = 1u;
    }
    w->rows = w->count ? w->count / w->dims[w->rank - 1u] : 0u;
}

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
    for (d = 0; d < rank; ++d) push((mask >> d) & 1u ? reduced : kept, dims[d], strides[d]);
    finish(kept);
    finish(reduced);
}

/* Steps a row-major index over the walk's leading axes (all but the last) by one; returns the
 * offset of the next row. */
static size_t next_row(const struct walk *w, uint32_t *index, size_t offset)
{
    uint32_t d = w->rank - 1u;
    while (d-- > 0u) {
        offset += w->strides[d];
        if (++index[d] < w->dims[d]) return offset;
        offset -= (size_t)w->strides[d] * w->dims[d];
        index[d] = 0;
    }
    return offset;
}

/* The reduced group starting at x, visited row-major: the sum from 0, or the first maximum
 * (*at: its offset from x, when at is not NULL). Inline, so each caller gets the loop of its own op. */
static inline float group_read(int max, const float *x, const struct walk *w, size_t *at)
{
    uint32_t index[AD_MAX_RANK];
    const uint32_t n = w->dims[w->rank - 1u], s = w->strides[w->rank - 1u];
    size_t offset = 0, rows = w->rows, best = 0;
    float acc = max ? x[0] : 0.0f;

    for (uint32_t d = 0; d + 1u < w->rank; ++d) index[d] = 0;
    while (rows-- > 0u) {
        const float *p = x + offset;
        if (!max) {
            for (uint32_t j = 0; j < n; ++j, p += s) acc += *p;
        } else {
            /* The first element compares against itself: never taken, as in a loop from 1. */
            for (uint32_t j = 0; j < n; ++j, p += s)
                if (*p > acc) {
                    acc = *p;
                    best = (size_t)(p - x);
                }
        }
        if (rows) offset = next_row(w, index, offset);
    }
    if (at) *at = best;
    return acc;
}

/* Writes v to every element of the group starting at dx. */
static inline void group_fill(float *dx, const struct walk *w, float v)
{
    uint32_t index[AD_MAX_RANK];
    const uint32_t n = w->dims[w->rank - 1u], s = w->strides[w->rank - 1u];
    size_t offset = 0, rows = w->rows;

    for (uint32_t d = 0; d + 1u < w->rank; ++d) index[d] = 0;
    while (rows-- > 0u) {
        float *p = dx + offset;
        for (uint32_t j = 0; j < n; ++j, p += s) *p = v;
        if (rows) offset = next_row(w, index, offset);
    }
}

/* Runs BODY once per kept position o (row-major), with its group at offset `at` of x. The switch
 * over the kinds sits outside, so each kind gets its own loop nest. */
#define FOR_EACH_GROUP(BODY)                                                                         \
    do {                                                                                           \
        for (size_t rows = kept.rows; rows-- > 0u;) {                                              \
            size_t at = base;                                                                      \
            for (uint32_t j = 0; j < n; ++j, ++o, at += s) {                                       \
                BODY;                                                                              \
            }                                                                                      \
            if (rows) base = next_row(&kept, index, base);                                         \
        }                                                                                          \
    } while (0)

enum reduction { RED_SUM, RED_MEAN, RED_MAX };

static void reduce(enum reduction kind, const float *x, float *y, uint32_t rank, const uint32_t *dims, uint32_t mask)
{
    struct walk kept, reduced;
    uint32_t index[AD_MAX_RANK], n, s;
    size_t base = 0, o = 0;
    float count;

    split(rank, dims, mask, &kept, &reduced);
    n = kept.dims[kept.rank - 1u];
    s = kept.strides[kept.rank - 1u];
    count = (float)reduced.count;
    for (uint32_t d = 0; d + 1u < kept.rank; ++d) index[d] = 0;
    if (reduced.count == 0u) { /* empty groups: sum 0, mean 0/0; a max has nothing to read */
        FOR_EACH_GROUP(y[o] = kind == RED_MEAN ? 0.0f / count : 0.0f);
        return;
    }
    switch (kind) {
    case RED_SUM: FOR_EACH_GROUP(y[o] = group_read(0, x + at, &reduced, NULL)); break;
    case RED_MEAN: FOR_EACH_GROUP(y[o] = group_read(0, x + at, &reduced, NULL) / count); break;
    case RED_MAX: FOR_EACH_GROUP(y[o] = group_read(1, x + at, &reduced, NULL)); break;
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

/* The backward kernels: dy (NULL: 1) spread over each group (mean: divided by its count), or for
 * max put at the group's first maximum and 0 elsewhere. */
static void spread(enum reduction kind, const float *dy, const float *x, float *dx, uint32_t rank,
                   const uint32_t *dims, uint32_t mask)
{
    struct walk kept, reduced;
    uint32_t index[AD_MAX_RANK], n, s;
    size_t base = 0, o = 0, best;
    float count;

    split(rank, dims, mask, &kept, &reduced);
    if (reduced.count == 0u) return; /* dx is empty */
    n = kept.dims[kept.rank - 1u];
    s = kept.strides[kept.rank - 1u];
    count = (float)reduced.count;
    for (uint32_t d = 0; d + 1u < kept.rank; ++d) index[d] = 0;
    switch (kind) {
    case RED_SUM: FOR_EACH_GROUP(group_fill(dx + at, &reduced, dy ? dy[o] : 1.0f)); break;
    case RED_MEAN: FOR_EACH_GROUP(group_fill(dx + at, &reduced, (dy ? dy[o] : 1.0f) / count)); break;
    case RED_MAX:
        /* Find the first maximum again, zero the group, then put the gradient there (dy is read
         * before dx is written, as before). */
        FOR_EACH_GROUP({
            const float g = dy ? dy[o] : 1.0f;
            (void)group_read(1, x + at, &reduced, &best);
            group_fill(dx + at, &reduced, 0.0f);
            dx[at + best] = g;
        });
        break;
    }
}

void ad_reduce_sum_backward_f32(const float *dy, float *dx, uint32_t rank, const uint32_t *dims, uint32_t mask)
{
    spread(RED_SUM, dy, NULL, dx, rank, dims, mask);
}

void ad_reduce_mean_backward_f32(const float *dy, float *dx, uint32_t rank, const uint32_t *dims, uint32_t mask)
{
    spread(RED_MEAN, dy, NULL, dx, rank, dims, mask);
}

void ad_reduce_max_backward_f32(const float *dy, const float *x, float *dx, uint32_t rank, const uint32_t *dims,
                                uint32_t mask)
{
    spread(RED_MAX, dy, x, dx, rank, dims, mask);
}

#undef FOR_EACH_GROUP
