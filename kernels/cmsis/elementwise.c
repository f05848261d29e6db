/* SPDX-License-Identifier: MIT */
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

/* The broadcasting kernels (kernels/portable/internal/), over ad_binary_row below. */
#include "internal/broadcast_kernels.h"

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

/* One innermost row of n outputs: z[j] = x[j*sx] op y[j*sy]. */
static void ad_binary_row(enum ad_binary_op op, const float *x, uint32_t sx, const float *y, uint32_t sy,
                          float *z, uint32_t n)
{
    if (sx == 1u && sy == 1u) {
        switch (op) {
        case AD_BINARY_ADD: arm_add_f32(x, y, z, n); return;
        case AD_BINARY_SUB: arm_sub_f32(x, y, z, n); return;
        case AD_BINARY_MUL: arm_mult_f32(x, y, z, n); return;
        case AD_BINARY_DIV: ad_div_f32(x, y, z, n); return;
        }
    }
    if (sx == 1u && sy == 0u) {
        const float c = y[0];
        switch (op) {
        case AD_BINARY_ADD: arm_offset_f32(x, c, z, n); return;
        case AD_BINARY_SUB: arm_offset_f32(x, -c, z, n); return;
        case AD_BINARY_MUL: arm_scale_f32(x, c, z, n); return;
        case AD_BINARY_DIV: break;
        }
    }
    if (sx == 0u && sy == 1u) {
        const float c = x[0];
        switch (op) {
        case AD_BINARY_ADD: arm_offset_f32(y, c, z, n); return;
        case AD_BINARY_SUB:
            /* z may be y: negate first, then add c, element by element. */
            arm_negate_f32(y, z, n);
            arm_offset_f32(z, c, z, n);
            return;
        case AD_BINARY_MUL: arm_scale_f32(y, c, z, n); return;
        case AD_BINARY_DIV: break;
        }
    }
    ad_binary_row_strided(op, x, sx, y, sy, z, n);
}
