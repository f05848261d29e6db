/*
 * transpose.c - portable axis permutation: y's axis i is x's axis perm[i]. Walks y row-major and
 * gathers from x through x's strides taken in permuted order.
 *
 * The walk is simplified first: axes of length 1 are dropped and an axis is merged into the one
 * before it when together they step through x like a single axis (stride[i] == stride[i+1] *
 * dims[i+1]), so an identity permutation becomes one contiguous copy and [B,M,N] -> [B,N,M] stays
 * three axes. The last two axes are then plain nested loops with pointer steps; only the axes
 * before them (if any) carry an index, once per plane, so the per-element cost is a load, a store
 * and a pointer step.
 */
#include "autodiff_kernels.h"

void ad_transpose_f32(const float *x, float *y, uint32_t rank, const uint32_t *x_dims, const uint32_t *perm)
{
    uint32_t x_strides[AD_MAX_RANK], dims[AD_MAX_RANK], strides[AD_MAX_RANK], index[AD_MAX_RANK];
    uint32_t acc = 1, d, r = 0, inner, inner_stride, mid, mid_stride;
    size_t planes = 1, offset = 0;

    for (d = rank; d-- > 0;) {
        x_strides[d] = acc;
        acc *= x_dims[d];
    }
    for (d = 0; d < rank; ++d) {
        uint32_t n = x_dims[perm[d]], s = x_strides[perm[d]];
        if (n == 0u) return; /* nothing to write */
        if (n == 1u) continue;
        if (r > 0u && strides[r - 1u] == s * n) {
            dims[r - 1u] *= n;
            strides[r - 1u] = s;
        } else {
            dims[r] = n;
            strides[r] = s;
            ++r;
        }
    }
    if (r == 0u) { /* one element */
        y[0] = x[0];
        return;
    }
    inner = dims[r - 1u];
    inner_stride = strides[r - 1u];
    if (r == 1u) {
        /* After merging, a single axis is the whole of x in order: stride 1. */
        for (uint32_t j = 0; j < inner; ++j) y[j] = x[(size_t)j * inner_stride];
        return;
    }
    mid = dims[r - 2u];
    mid_stride = strides[r - 2u];
    /* Only walks of more than two axes carry an index (and clear it: a memset call). */
    if (r > 2u)
        for (d = 0; d + 2u < r; ++d) {
            planes *= dims[d];
            index[d] = 0;
        }
    for (size_t q = 0; q < planes; ++q) {
        const float *row = x + offset;
        uint32_t i = 0;
        /* Two rows per pass: the rows are short (4 or 5 for small layers), so sharing the loop's
         * count and branch between two rows and paying the row setup once per pair halves the
         * overhead around each load and store. */
        for (; i + 2u <= mid; i += 2u, row += 2u * (size_t)mid_stride, y += 2u * (size_t)inner) {
            const float *p = row, *q = row + mid_stride;
            float *y1 = y + inner;
            for (uint32_t j = 0; j < inner; ++j, p += inner_stride, q += inner_stride) {
                y[j] = *p;
                y1[j] = *q;
            }
        }
        if (i < mid) {
            const float *p = row;
            for (uint32_t j = 0; j < inner; ++j, p += inner_stride) *y++ = *p;
        }
        /* Next plane: carry through the leading axes only. */
        if (q + 1u == planes) break;
        d = r - 2u;
        while (d-- > 0u) {
            offset += strides[d];
            if (++index[d] < dims[d]) break;
            offset -= (size_t)strides[d] * dims[d];
            index[d] = 0;
        }
    }
}
