/*
 * elementwise.c - element-wise arithmetic on CMSIS-DSP. Same functions as
 * kernels/portable/elementwise.c: flat kernels on n floats, and NumPy-broadcasting kernels that
 * walk the contiguous output row-major over `rank` dims, reading each operand through its own
 * strides (0 where it is repeated).
 *
 * Flat add, sub and mul are arm_add_f32, arm_sub_f32, arm_mult_f32 (element by element, so they
 * may run in place). In the broadcasting kernels each innermost row whose operands are both
 * contiguous goes to the same functions; a row with one operand repeated (stride 0) goes to
 * arm_offset_f32 / arm_scale_f32 / arm_negate_f32 where that is exact (x + c, x - c = x + (-c),
 * c - y = (-y) + c, x * c); division and other strides are plain C. Results equal the portable
 * kernels'.
 */
#include "autodiff_kernels.h"

#include "arm_math.h"

/* z[i] = x[i] + y[i], i < n.  x, y, z [n]; may run in place. arm_add_f32. */
void ad_add_f32(const float *x, const float *y, float *z, uint32_t n)
{
    arm_add_f32(x, y, z, n);
}

/* z[i] = x[i] - y[i], i < n.  x, y, z [n]; may run in place. arm_sub_f32. */
void ad_sub_f32(const float *x, const float *y, float *z, uint32_t n)
{
    arm_sub_f32(x, y, z, n);
}

/* z[i] = x[i] * y[i], i < n.  x, y, z [n]; may run in place. arm_mult_f32. */
void ad_mul_f32(const float *x, const float *y, float *z, uint32_t n)
{
    arm_mult_f32(x, y, z, n);
}

/* z[i] = x[i] / y[i], i < n.  x, y, z [n]; may run in place. Plain C (CMSIS-DSP has no f32 division). */
void ad_div_f32(const float *x, const float *y, float *z, uint32_t n)
{
    for (uint32_t i = 0; i < n; ++i) z[i] = x[i] / y[i];
}

enum ad_binary { AD_ADD, AD_SUB, AD_MUL, AD_DIV };

/* One innermost row of n outputs: z[j] = x[j*sx] op y[j*sy]. */
static void binary_row(enum ad_binary op, const float *x, uint32_t sx, const float *y, uint32_t sy,
                       float *z, uint32_t n)
{
    if (sx == 1u && sy == 1u) {
        switch (op) {
        case AD_ADD: arm_add_f32(x, y, z, n); return;
        case AD_SUB: arm_sub_f32(x, y, z, n); return;
        case AD_MUL: arm_mult_f32(x, y, z, n); return;
        case AD_DIV: ad_div_f32(x, y, z, n); return;
        }
    }
    if (sx == 1u && sy == 0u) {
        const float c = y[0];
        switch (op) {
        case AD_ADD: arm_offset_f32(x, c, z, n); return;
        case AD_SUB: arm_offset_f32(x, -c, z, n); return;
        case AD_MUL: arm_scale_f32(x, c, z, n); return;
        case AD_DIV: break;
        }
    }
    if (sx == 0u && sy == 1u) {
        const float c = x[0];
        switch (op) {
        case AD_ADD: arm_offset_f32(y, c, z, n); return;
        case AD_SUB:
            /* z may be y: negate first, then add c, element by element. */
            arm_negate_f32(y, z, n);
            arm_offset_f32(z, c, z, n);
            return;
        case AD_MUL: arm_scale_f32(y, c, z, n); return;
        case AD_DIV: break;
        }
    }
    switch (op) {
    case AD_ADD: for (uint32_t j = 0; j < n; ++j) z[j] = x[(size_t)j * sx] + y[(size_t)j * sy]; break;
    case AD_SUB: for (uint32_t j = 0; j < n; ++j) z[j] = x[(size_t)j * sx] - y[(size_t)j * sy]; break;
    case AD_MUL: for (uint32_t j = 0; j < n; ++j) z[j] = x[(size_t)j * sx] * y[(size_t)j * sy]; break;
    case AD_DIV: for (uint32_t j = 0; j < n; ++j) z[j] = x[(size_t)j * sx] / y[(size_t)j * sy]; break;
    }
}

/* Walks the leading rank-1 axes of z like an odometer, one innermost row per position. */
static void binary_broadcast(enum ad_binary op, const float *x, const float *y, float *z, uint32_t rank,
                             const uint32_t *dims, const uint32_t *x_strides, const uint32_t *y_strides)
{
    uint32_t index[AD_MAX_RANK] = {0};
    size_t ox = 0, oy = 0, rows = 1;
    uint32_t inner, d;

    if (rank == 0u) {
        binary_row(op, x, 0u, y, 0u, z, 1u);
        return;
    }
    inner = dims[rank - 1u];
    for (d = 0; d + 1u < rank; ++d) rows *= dims[d];
    for (size_t r = 0; r < rows; ++r) {
        binary_row(op, x + ox, x_strides[rank - 1u], y + oy, y_strides[rank - 1u], z + r * inner, inner);
        d = rank - 1u;
        while (d-- > 0u) {
            ox += x_strides[d];
            oy += y_strides[d];
            if (++index[d] < dims[d]) break;
            ox -= (size_t)x_strides[d] * dims[d];
            oy -= (size_t)y_strides[d] * dims[d];
            index[d] = 0;
        }
    }
}

/* z = x + y with broadcasting: z contiguous [dims], x/y read through x_strides/y_strides (floats). */
void ad_add_broadcast_f32(const float *x, const float *y, float *z, uint32_t rank, const uint32_t *dims,
                          const uint32_t *x_strides, const uint32_t *y_strides)
{
    binary_broadcast(AD_ADD, x, y, z, rank, dims, x_strides, y_strides);
}

/* z = x - y with broadcasting (layout as ad_add_broadcast_f32). */
void ad_sub_broadcast_f32(const float *x, const float *y, float *z, uint32_t rank, const uint32_t *dims,
                          const uint32_t *x_strides, const uint32_t *y_strides)
{
    binary_broadcast(AD_SUB, x, y, z, rank, dims, x_strides, y_strides);
}

/* z = x * y with broadcasting (layout as ad_add_broadcast_f32). */
void ad_mul_broadcast_f32(const float *x, const float *y, float *z, uint32_t rank, const uint32_t *dims,
                          const uint32_t *x_strides, const uint32_t *y_strides)
{
    binary_broadcast(AD_MUL, x, y, z, rank, dims, x_strides, y_strides);
}

/* z = x / y with broadcasting (layout as ad_add_broadcast_f32). */
void ad_div_broadcast_f32(const float *x, const float *y, float *z, uint32_t rank, const uint32_t *dims,
                          const uint32_t *x_strides, const uint32_t *y_strides)
{
    binary_broadcast(AD_DIV, x, y, z, rank, dims, x_strides, y_strides);
}
