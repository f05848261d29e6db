/*
 * linear.c - fully connected kernels on CMSIS-DSP (forward, input gradient, weight-gradient rows,
 * bias gradient). Same functions and layouts as kernels/portable/linear.c: x [B,in], w [out,in],
 * bias [out], y [B,out], all row-major float32.
 *
 * CMSIS-DSP matrices have uint16_t dimensions and there is no fused transposed product (A^T * B),
 * so: the forward pass is one matrix-vector product W * x_b per sample (no transposition needed)
 * when in and out fit in 16 bits, else one dot product per output; the backward products, which
 * read W and x column-wise, are sums of scaled rows (arm_scale_f32 for the first row, then four rows
 * per pass in plain C), which never needs W^T in memory. Sums run over the inner index in
 * increasing order, as in the portable kernels.
 */
#include "autodiff_kernels.h"

#include "arm_math.h"

#include "internal/weighted_row_sum.h"

/* CMSIS-DSP matrix dimensions are uint16_t. */
#define AD_CMSIS_MAX_DIM 65535u

/* y[b,o] = sum_i x[b,i] * w[o,i] + bias[o].  x [B,in], w [out,in], bias [out] or NULL, y [B,out].
 * arm_mat_vec_mult_f32 (four rows of W per pass) per sample; arm_dot_prod_f32 per output when a
 * dimension exceeds 65535; arm_add_f32 for the bias. */
void ad_linear_f32(const float *x, const float *w, const float *bias, float *y,
                   uint32_t batch, uint32_t in, uint32_t out)
{
    arm_matrix_instance_f32 weights;
    const int as_matrix = in <= AD_CMSIS_MAX_DIM && out <= AD_CMSIS_MAX_DIM;
    weights.numRows = (uint16_t)out;
    weights.numCols = (uint16_t)in;
    weights.pData = (float32_t *)w; /* read only: arm_mat_vec_mult_f32 does not write the matrix */
    for (uint32_t b = 0; b < batch; ++b) {
        const float *xb = x + (size_t)b * in;
        float *yb = y + (size_t)b * out;
        if (in == 0u) {
            arm_fill_f32(0.0f, yb, out);
        } else if (as_matrix) {
            arm_mat_vec_mult_f32(&weights, xb, yb);
        } else {
            for (uint32_t o = 0; o < out; ++o) arm_dot_prod_f32(xb, w + (size_t)o * in, in, &yb[o]);
        }
        if (bias) arm_add_f32(yb, bias, yb, out);
    }
}

/* dx[b,i] = sum_o dy[b,o] * w[o,i].  dy [B,out], w [out,in], dx [B,in].
 * W^T * dy_b as a weighted sum of the rows of W (no transposed copy of W). */
void ad_linear_backward_input_f32(const float *dy, const float *w, float *dx,
                                  uint32_t batch, uint32_t in, uint32_t out)
{
    for (uint32_t b = 0; b < batch; ++b) {
        float *dxb = dx + (size_t)b * in;
        if (out == 0u) arm_fill_f32(0.0f, dxb, in);
        else ad_weighted_row_sum(w, in, dy + (size_t)b * out, 1u, out, in, dxb);
    }
}

/* One row of the weight gradient: dw_row[i] = sum_b dy[b,row] * x[b,i].  dy [B,out], x [B,in],
 * dw_row [in]. Batch 1: arm_scale_f32 (x scaled by dy[row]); larger batches add the further
 * samples' scaled inputs. */
void ad_linear_backward_weight_row_f32(const float *dy, const float *x, float *dw_row,
                                       uint32_t batch, uint32_t in, uint32_t out, uint32_t row)
{
    if (batch == 0u) arm_fill_f32(0.0f, dw_row, in);
    else ad_weighted_row_sum(x, in, dy + row, out, batch, in, dw_row);
}

/* db[c] = sum_r dy[r,c].  dy [rows,channels], db [channels]: arm_copy_f32 of the first row, then
 * arm_add_f32 of each further row. */
void ad_bias_backward_f32(const float *dy, float *db, uint32_t rows, uint32_t channels)
{
    if (rows == 0u) {
        arm_fill_f32(0.0f, db, channels);
        return;
    }
    arm_copy_f32(dy, db, channels);
    for (uint32_t r = 1; r < rows; ++r) arm_add_f32(db, dy + (size_t)r * channels, db, channels);
}
