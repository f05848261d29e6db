/*
 * elementwise.c - portable element-wise arithmetic. The flat kernels take arrays of n floats;
 * the *_broadcast kernels walk the output row-major over `rank` dims and read each operand
 * through its own strides (0 along the axes where that operand is repeated).
 */
#include "autodiff_kernels.h"

void ad_add_f32(const float *x, const float *y, float *z, uint32_t n)
{
    for (uint32_t i = 0; i < n; ++i) z[i] = x[i] + y[i];
}

void ad_sub_f32(const float *x, const float *y, float *z, uint32_t n)
{
    for (uint32_t i = 0; i < n; ++i) z[i] = x[i] - y[i];
}

void ad_mul_f32(const float *x, const float *y, float *z, uint32_t n)
{
    for (uint32_t i = 0; i < n; ++i) z[i] = x[i] * y[i];
}

void ad_div_f32(const float *x, const float *y, float *z, uint32_t n)
{
    for (uint32_t i = 0; i < n; ++i) z[i] = x[i] / y[i];
}

enum binary_op { OP_ADD, OP_SUB, OP_MUL, OP_DIV };

/* One innermost row; the switch sits outside the loop so each case vectorises on its own. */
static void binary_row(enum binary_op op, const float *x, uint32_t sx, const float *y, uint32_t sy,
                       float *z, uint32_t n)
{
    switch (op) {
    case OP_ADD: for (uint32_t j = 0; j < n; ++j) z[j] = x[(size_t)j * sx] + y[(size_t)j * sy]; break;
    case OP_SUB: for (uint32_t j = 0; j < n; ++j) z[j] = x[(size_t)j * sx] - y[(size_t)j * sy]; break;
    case OP_MUL: for (uint32_t j = 0; j < n; ++j) z[j] = x[(size_t)j * sx] * y[(size_t)j * sy]; break;
    case OP_DIV: for (uint32_t j = 0; j < n; ++j) z[j] = x[(size_t)j * sx] / y[(size_t)j * sy]; break;
    }
}

static void binary_broadcast(enum binary_op op, const float *x, const float *y, float *z, uint32_t rank,
                             const uint32_t *dims, const uint32_t *x_strides, const uint32_t *y_strides)
{
    uint32_t index[AD_MAX_RANK] = {0};
    size_t ox = 0, oy = 0, rows = 1;
    uint32_t inner, d;

    if (rank == 0) {
        binary_row(op, x, 0, y, 0, z, 1);
        return;
    }
    inner = dims[rank - 1];
    for (d = 0; d + 1 < rank; ++d) rows *= dims[d];
    for (size_t r = 0; r < rows; ++r) {
        binary_row(op, x + ox, x_strides[rank - 1], y + oy, y_strides[rank - 1], z + r * inner, inner);
        /* Advance the outer axes like an odometer, keeping both operand offsets in step. */
        d = rank - 1;
        while (d-- > 0) {
            ox += x_strides[d];
            oy += y_strides[d];
            if (++index[d] < dims[d]) break;
            ox -= (size_t)x_strides[d] * dims[d];
            oy -= (size_t)y_strides[d] * dims[d];
            index[d] = 0;
        }
    }
}

void ad_add_broadcast_f32(const float *x, const float *y, float *z, uint32_t rank, const uint32_t *dims,
                          const uint32_t *x_strides, const uint32_t *y_strides)
{
    binary_broadcast(OP_ADD, x, y, z, rank, dims, x_strides, y_strides);
}

void ad_sub_broadcast_f32(const float *x, const float *y, float *z, uint32_t rank, const uint32_t *dims,
                          const uint32_t *x_strides, const uint32_t *y_strides)
{
    binary_broadcast(OP_SUB, x, y, z, rank, dims, x_strides, y_strides);
}

void ad_mul_broadcast_f32(const float *x, const float *y, float *z, uint32_t rank, const uint32_t *dims,
                          const uint32_t *x_strides, const uint32_t *y_strides)
{
    binary_broadcast(OP_MUL, x, y, z, rank, dims, x_strides, y_strides);
}

void ad_div_broadcast_f32(const float *x, const float *y, float *z, uint32_t rank, const uint32_t *dims,
                          const uint32_t *x_strides, const uint32_t *y_strides)
{
    binary_broadcast(OP_DIV, x, y, z, rank, dims, x_strides, y_strides);
}
