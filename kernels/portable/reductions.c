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

/* A strided walk over some of x's axes, innermost axis first (index 0), rank >= 1. */
struct walk {
    uint32_t rank;
    uint32_t dims[AD_MAX_RANK];
    uint32_t strides[AD_MAX_RANK];
    size_t count; /* elements */
};

/* Splits x's axes into the kept and the reduced walk in one pass from the innermost axis, which
 * also yields x's strides. Length-1 axes are dropped, and an axis whose stride is the stride times
 * the length of the axis pushed before it in the same walk (its inner neighbour in x) extends that
 * axis instead: the walk's order is unchanged. A walk without axes is one element. */
static void split(uint32_t rank, const uint32_t *dims, uint32_t mask, struct walk *kept, struct walk *reduced)
{
    uint32_t stride = 1;

    kept->rank = reduced->rank = 0;
    kept->count = reduced->count = 1;
    for (uint32_t d = rank; d-- > 0;) {
        struct walk *w = (mask >> d) & 1u ? reduced : kept;
        const uint32_t n = dims[d];
        w->count *= n;
        if (n != 1u) {
            const uint32_t last = w->rank - 1u;
            if (w->rank > 0u && stride == w->strides[last] * w->dims[last]) {
                w->dims[last] *= n;
            } else {
                w->dims[w->rank] = n;
                w->strides[w->rank] = stride;
                w->rank++;
            }
        }
        stride *= n;
    }
    if (kept->rank == 0u) {
        kept->dims[0] = 1u;
        kept->strides[0] = 0u;
        kept->rank = 1u;
    }
    if (reduced->rank == 0u) {
        reduced->dims[0] = 1u;
        reduced->strides[0] = 0u;
        reduced->rank = 1u;
    }
}

/* Steps a row-major index over the walk's outer axes (1..rank-1) by one; returns the offset of
 * the next row. */
static size_t next_row(const struct walk *w, uint32_t *index, size_t offset)
{
    for (uint32_t d = 1; d < w->rank; ++d) {
        offset += w->strides[d];
        if (++index[d] < w->dims[d]) return offset;
        offset -= (size_t)w->strides[d] * w->dims[d];
        index[d] = 0;
    }
    return offset;
}

/* The groups of several reduced axes that stay several after merging: rows of the innermost one,
 * the others carried once per row. Out of line, as they are rare. */
static float group_read_rows(int max, const float *x, const struct walk *w, size_t *at)
{
    uint32_t index[AD_MAX_RANK];
    const uint32_t n = w->dims[0], s = w->strides[0];
    size_t offset = 0, rows = w->count / n, best = 0;
    float acc = max ? x[0] : 0.0f;

    for (uint32_t d = 1; d < w->rank; ++d) index[d] = 0;
    while (rows-- > 0u) {
        const float *p = x + offset;
        for (uint32_t j = 0; j < n; ++j, p += s) {
            if (!max) {
                acc += *p;
            } else if (*p > acc) {
                acc = *p;
                best = (size_t)(p - x);
            }
        }
        if (rows) offset = next_row(w, index, offset);
    }
    if (at) *at = best;
    return acc;
}

static void group_fill_rows(float *dx, const struct walk *w, float v)
{
    uint32_t index[AD_MAX_RANK];
    const uint32_t n = w->dims[0], s = w->strides[0];
    size_t offset = 0, rows = w->count / n;

    for (uint32_t d = 1; d < w->rank; ++d) index[d] = 0;
    while (rows-- > 0u) {
        float *p = dx + offset;
        for (uint32_t j = 0; j < n; ++j, p += s) *p = v;
        if (rows) offset = next_row(w, index, offset);
    }
}

/* The reduced group starting at x, visited row-major: its sum from 0 (max = 0), or its first
 * maximum (max = 1; *at: the maximum's offset from x when at is not NULL). The usual single axis
 * is a plain strided loop here, inlined into each caller. */
static inline float group_read(int max, const float *x, const struct walk *w, size_t *at)
{
    const uint32_t n = w->dims[0], s = w->strides[0];
    const float *p = x, *best = x;
    float acc;

    if (w->rank > 1u) return group_read_rows(max, x, w, at);
    if (!max) {
        acc = 0.0f;
        for (uint32_t j = 0; j < n; ++j, p += s) acc += *p;
        return acc;
    }
    /* The first element compares against itself: never taken, as in a loop from the second. */
    acc = *p;
    for (uint32_t j = 0; j < n; ++j, p += s)
        if (*p > acc) {
            acc = *p;
            best = p;
        }
    if (at) *at = (size_t)(best - x);
    return acc;
}

/* Writes v to every element of the group starting at dx. */
static inline void group_fill(float *dx, const struct walk *w, float v)
{
    const uint32_t n = w->dims[0], s = w->strides[0];

    if (w->rank > 1u) {
        group_fill_rows(dx, w, v);
        return;
    }
    for (uint32_t j = 0; j < n; ++j, dx += s) *dx = v;
}

/* Steps a row-major index over the walk's axes 2..rank-1 by one; returns the offset of the next
 * plane (the innermost two axes are loops of their own). */
static size_t next_plane(const struct walk *w, uint32_t *index, size_t offset)
{
    for (uint32_t d = 2; d < w->rank; ++d) {
        offset += w->strides[d];
        if (++index[d] < w->dims[d]) return offset;
        offset -= (size_t)w->strides[d] * w->dims[d];
        index[d] = 0;
    }
    return offset;
}

/* Runs BODY once per kept position o (row-major) with its group at offset `at` of x. The kept
 * walk's innermost two axes are plain loops; only further axes (rare after merging) carry an
 * index, once per plane. The callers switch over the kinds outside it, so each kind gets its
 * own loop nest. */
#define FOR_EACH_GROUP(BODY)                                                                         \
    do {                                                                                           \
        const uint32_t kn = kept.dims[0], ks = kept.strides[0];                                    \
        const uint32_t mn = kept.rank > 1u ? kept.dims[1] : 1u, ms = kept.rank > 1u ? kept.strides[1] : 0u; \
        size_t plane = 0, o = 0, planes = kept.count / ((size_t)kn * mn);                          \
        if (kept.rank > 2u)                                                                        \
            for (uint32_t d = 2; d < kept.rank; ++d) index[d] = 0;                                 \
        for (;;) {                                                                                 \
            size_t row = plane;                                                                    \
            for (uint32_t i = 0; i < mn; ++i, row += ms) {                                         \
                size_t at = row;                                                                   \
                for (uint32_t j = 0; j < kn; ++j, ++o, at += ks) {                                 \
                    BODY;                                                                          \
                }                                                                                  \
            }                                                                                      \
            if (--planes == 0u) break;                                                             \
            plane = next_plane(&kept, index, plane);                                               \
        }                                                                                          \
    } while (0)

/* FOR_EACH_GROUP for groups on a single reduced axis (rn elements, stride rs), the usual case:
 * two neighbouring kept positions per pass (BODY2 handles o and o + 1 at offsets at and at + ks,
 * BODY1 a last odd one), so the group loop's count and branch serve two groups. */
#define FOR_EACH_PAIR(BODY2, BODY1)                                                                  \
    do {                                                                                           \
        const uint32_t kn = kept.dims[0], ks = kept.strides[0];                                    \
        const uint32_t mn = kept.rank > 1u ? kept.dims[1] : 1u, ms = kept.rank > 1u ? kept.strides[1] : 0u; \
        size_t plane = 0, o = 0, planes = kept.count / ((size_t)kn * mn);                          \
        if (kept.rank > 2u)                                                                        \
            for (uint32_t d = 2; d < kept.rank; ++d) index[d] = 0;                                 \
        for (;;) {                                                                                 \
            size_t row = plane;                                                                    \
            for (uint32_t i = 0; i < mn; ++i, row += ms) {                                         \
                size_t at = row;                                                                   \
                uint32_t j = 0;                                                                    \
                for (; j + 2u <= kn; j += 2u, o += 2u, at += 2u * (size_t)ks) {                    \
                    BODY2;                                                                         \
                }                                                                                  \
                if (j < kn) {                                                                      \
                    BODY1;                                                                         \
                    ++o;                                                                           \
                }                                                                                  \
            }                                                                                      \
            if (--planes == 0u) break;                                                             \
            plane = next_plane(&kept, index, plane);                                               \
        }                                                                                          \
    } while (0)

/* Sums (max = 0) or first maxima (max = 1) of the two single-axis groups at p and q. */
static inline void pair_read(int max, const float *p, const float *q, uint32_t rn, uint32_t rs, float *a,
                             float *b)
{
    float u = max ? *p : 0.0f, v = max ? *q : 0.0f;
    for (uint32_t r = 0; r < rn; ++r, p += rs, q += rs) {
        if (!max) {
            u += *p;
            v += *q;
        } else {
            u = *p > u ? *p : u;
            v = *q > v ? *q : v;
        }
    }
    *a = u;
    *b = v;
}

enum reduction { RED_SUM, RED_MEAN, RED_MAX };

static void reduce(enum reduction kind, const float *x, float *y, uint32_t rank, const uint32_t *dims, uint32_t mask)
{
    struct walk kept, reduced;
    uint32_t index[AD_MAX_RANK];
    float count;

    split(rank, dims, mask, &kept, &reduced);
    if (kept.count == 0u) return;
    count = (float)reduced.count;
    if (reduced.count == 0u) { /* empty groups: sum 0, mean 0/0; a max has nothing to read */
        FOR_EACH_GROUP(y[o] = kind == RED_MEAN ? 0.0f / count : 0.0f);
        return;
    }
    if (reduced.rank == 1u) {
        const uint32_t rn = reduced.dims[0], rs = reduced.strides[0];
        float a, b;
        switch (kind) {
        case RED_SUM:
            FOR_EACH_PAIR((pair_read(0, x + at, x + at + ks, rn, rs, &a, &b), y[o] = a, y[o + 1u] = b),
                          y[o] = group_read(0, x + at, &reduced, NULL));
            break;
        case RED_MEAN:
            FOR_EACH_PAIR((pair_read(0, x + at, x + at + ks, rn, rs, &a, &b), y[o] = a / count, y[o + 1u] = b / count),
                          y[o] = group_read(0, x + at, &reduced, NULL) / count);
            break;
        case RED_MAX:
            FOR_EACH_PAIR((pair_read(1, x + at, x + at + ks, rn, rs, &a, &b), y[o] = a, y[o + 1u] = b),
                          y[o] = group_read(1, x + at, &reduced, NULL));
            break;
        }
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
    uint32_t index[AD_MAX_RANK];
    size_t best;
    float count;

    split(rank, dims, mask, &kept, &reduced);
    if (kept.count == 0u || reduced.count == 0u) return; /* dx is empty */
    count = (float)reduced.count;
    if (reduced.rank == 1u && kind == RED_MAX) {
        const uint32_t rn = reduced.dims[0], rs = reduced.strides[0];
        /* Both first maxima are found (and both gradients read) before either group is written. */
        FOR_EACH_PAIR({
                          const float g0 = dy ? dy[o] : 1.0f;
                          const float g1 = dy ? dy[o + 1u] : 1.0f;
                          const float *p = x + at;
                          const float *q = p + ks;
                          float u = p[0];
                          float v = q[0];
                          size_t bu = 0;
                          size_t bv = 0;
                          size_t off = 0;
                          float *dp = dx + at;
                          float *dq = dp + ks;
                          for (uint32_t r = 0; r < rn; ++r) {
                              if (p[off] > u) {
                                  u = p[off];
                                  bu = off;
                              }
                              if (q[off] > v) {
                                  v = q[off];
                                  bv = off;
                              }
                              off += rs;
                          }
                          off = 0;
                          for (uint32_t r = 0; r < rn; ++r) {
                              dp[off] = 0.0f;
                              dq[off] = 0.0f;
                              off += rs;
                          }
                          dp[bu] = g0;
                          dq[bv] = g1;
                      },
                      {
                          const float g = dy ? dy[o] : 1.0f;
                          (void)group_read(1, x + at, &reduced, &best);
                          group_fill(dx + at, &reduced, 0.0f);
                          dx[at + best] = g;
                      });
        return;
    }
    if (reduced.rank == 1u) {
        const uint32_t rn = reduced.dims[0], rs = reduced.strides[0];
        const float scale = kind == RED_MEAN ? count : 1.0f;
        /* Both gradients are read before either group is written. */
        FOR_EACH_PAIR({
                          const float g0 = (dy ? dy[o] : 1.0f) / scale;
                          const float g1 = (dy ? dy[o + 1u] : 1.0f) / scale;
                          float *p = dx + at;
                          float *q = p + ks;
                          for (uint32_t r = 0; r < rn; ++r) {
                              *p = g0;
                              *q = g1;
                              p += rs;
                              q += rs;
                          }
                      },
                      group_fill(dx + at, &reduced, (dy ? dy[o] : 1.0f) / scale));
        return;
    }
    switch (kind) {
    case RED_SUM: FOR_EACH_GROUP(group_fill(dx + at, &reduced, dy ? dy[o] : 1.0f)); break;
    case RED_MEAN: FOR_EACH_GROUP(group_fill(dx + at, &reduced, (dy ? dy[o] : 1.0f) / count)); break;
    case RED_MAX:
        /* Find the first maximum again, zero the group, then put the gradient there (dy is read
         * before dx is written). */
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
#undef FOR_EACH_PAIR
