/* SPDX-License-Identifier: MIT */
/*
 * linear.c - fully connected kernels for Armv7E-M cores with a single-precision FPU
 * (Cortex-M4F: fpv4-sp-d16, Cortex-M7: fpv5-sp-d16 / fpv5-d16).
 *
 * Chosen instead of kernels/portable/linear.c when the target is Armv7E-M with a hardware FPU
 * (VFMA.F32 and the 32 single-precision registers s0-s31). Only the two kernels that touch every
 * weight once per training step are written here, the forward product ad_linear_f32 and the fused
 * SGD update ad_linear_sgd_f32; the input, weight and bias gradients come from the shared C in
 * ../portable/internal/linear_common.h.
 *
 * Why assembly: gcc compiles the portable C loops to VLDR/VSTR of single operands plus pointer
 * and counter arithmetic, 2.3 (forward) to 3.3 (update) instructions per weight at best. The FPU's VLDM/VSTM move
 * eight floats in one instruction (1 + 8 cycles on the M4, against 2 per VLDR), and with
 * write-back addressing the pointers advance for free. The hot loops therefore take eight inputs
 * at a time: x[i..i+7] is loaded once into s0-s7 and reused by a block of 8 weight rows (4, 2, 1
 * for the last rows), each row costing one VLDM plus eight VFMAs (plus one VSTM in the update);
 * with a batch, two samples share each row's VLDM (and VSTM).
 * Two rows are interleaved in separate register banks (s8-s15 / s16-s23 forward, s16-s23 /
 * s24-s31 in the update), so consecutive VFMAs never depend on each other: no gain on the M4,
 * whose VFMA takes 3 cycles either way, but part of the latency hidden on the M7. The last in % 8 inputs of each row are finished in C, with the same
 * VFMA.F32 (one-instruction inline asm, so that -O0 builds do not call newlib's fmaf).
 *
 * Numerics: identical, bit for bit, to the C loops given with each function (one fused
 * multiply-add per term, summed in increasing index order), on every core: the assembly only
 * changes how operands reach the FPU, never which operations run or in which order.
 *
 * Requirements: pointers 4-byte aligned (VLDM/VSTM need word alignment, nothing more). Only the
 * arrays' own elements are read or written. No scratch memory; the assembly pushes at most 8
 * core registers (32 bytes) besides gcc's frame. It overwrites s0-s31, listed as clobbers, so
 * gcc saves s16-s31 (callee-saved in the AAPCS) in the prologue; it saves the core registers
 * it uses beyond r0-r3/r12 itself, so it builds at every optimisation level (-O0 to -O3, -Os).
 */
#include <string.h>

#include "autodiff_kernels.h"

#include "../portable/internal/linear_common.h"

#if !defined(__ARM_FP) || !(__ARM_FP & 4) || !defined(__ARM_FEATURE_FMA)
#error "kernels/armv7em needs a single-precision FPU with VFMA (-mfpu=fpv4-sp-d16 or fpv5)"
#endif

/* "vfma.f32 sD, sN, sM": sD += sN * sM, one rounding. */
#define AD7_FMA(d, n, m) "vfma.f32 s" #d ", s" #n ", s" #m "\n\t"

/* Forward, two rows against x in s0-s7: row A's weights in s8-s15 into accumulator sA, row B's
 * in s16-s23 into sB, alternating so that consecutive VFMAs never depend on each other. */
#define AD7_FWD_PAIR(a, b)                                                                       \
    AD7_FMA(a, 0, 8) AD7_FMA(b, 0, 16) AD7_FMA(a, 1, 9) AD7_FMA(b, 1, 17)                        \
    AD7_FMA(a, 2, 10) AD7_FMA(b, 2, 18) AD7_FMA(a, 3, 11) AD7_FMA(b, 3, 19)                      \
    AD7_FMA(a, 4, 12) AD7_FMA(b, 4, 20) AD7_FMA(a, 5, 13) AD7_FMA(b, 5, 21)                      \
    AD7_FMA(a, 6, 14) AD7_FMA(b, 6, 22) AD7_FMA(a, 7, 15) AD7_FMA(b, 7, 23)

/* Forward, one row: weights in s8-s15 into accumulator sA. */
#define AD7_FWD_ONE(a)                                                                           \
    AD7_FMA(a, 0, 8) AD7_FMA(a, 1, 9) AD7_FMA(a, 2, 10) AD7_FMA(a, 3, 11)                        \
    AD7_FMA(a, 4, 12) AD7_FMA(a, 5, 13) AD7_FMA(a, 6, 14) AD7_FMA(a, 7, 15)

/* Loads of one row's eight weights, advancing the row pointer past them. */
#define AD7_LOAD_A(p) "vldmia " #p "!, {s8-s15}\n\t"
#define AD7_LOAD_B(p) "vldmia " #p "!, {s16-s23}\n\t"

/* Update, one row: its eight weights (loaded into s16-s23) gain sC * x (x in s0-s7): eight
 * products into s24-s31 (VMUL), eight sums (VADD), stored back, the row pointer advanced. A
 * VMUL and a VADD take one cycle each on the Cortex-M4, a VFMA three, so the update, which is
 * bound by its arithmetic and not by its loads, is a third cheaper than with VFMA for one more
 * instruction per weight; the forward pass keeps VFMA (one instruction per weight). */
#define AD7_UPD_ROW(p, c)                                                                        \
    "vldmia " #p ", {s16-s23}\n\t"                                                              \
    "vmul.f32 s24, s" #c ", s0\n\t" "vmul.f32 s25, s" #c ", s1\n\t"                             \
    "vmul.f32 s26, s" #c ", s2\n\t" "vmul.f32 s27, s" #c ", s3\n\t"                             \
    "vmul.f32 s28, s" #c ", s4\n\t" "vmul.f32 s29, s" #c ", s5\n\t"                             \
    "vmul.f32 s30, s" #c ", s6\n\t" "vmul.f32 s31, s" #c ", s7\n\t"                             \
    "vadd.f32 s16, s16, s24\n\t" "vadd.f32 s17, s17, s25\n\t"                                   \
    "vadd.f32 s18, s18, s26\n\t" "vadd.f32 s19, s19, s27\n\t"                                   \
    "vadd.f32 s20, s20, s28\n\t" "vadd.f32 s21, s21, s29\n\t"                                   \
    "vadd.f32 s22, s22, s30\n\t" "vadd.f32 s23, s23, s31\n\t"                                   \
    "vstmia " #p "!, {s16-s23}\n\t"

/* Row pointers of a block: p(r+1) = p(r) + stride, with the stride (in * 4 bytes) in r2. */
#define AD7_ROWS4 "add r4, r1, r2\n\t" "add r5, r4, r2\n\t" "add r6, r5, r2\n\t"
#define AD7_ROWS8 AD7_ROWS4 "add r7, r6, r2\n\t" "add r8, r7, r2\n\t" "add r9, r8, r2\n\t" \
                  "add r10, r9, r2\n\t"

/* The loop counter is r3. */
#define AD7_LOOP_END "subs r3, r3, #1\n\t" "bne 1b\n\t"

/* Every block's assembly gets its operands in fixed registers (r0 = x, r1 = first row, r2 =
 * stride in bytes, r3 = number of 8-input chunks, r12 = bias or dy of the block's rows) plus two
 * words %[e], %[f] in registers of gcc's choice (y for the forward; lr's bits, and where two
 * samples are updated at once the second sample's dy, for the update), and saves
 * the callee-saved core registers it uses itself (PUSH/POP once per block), so that no block
 * depends on gcc finding up to eleven free registers around it: that fails at some optimisation
 * levels ("impossible constraints"), and r7 is the frame pointer at -O0. */
#define AD7_FP_CLOBBERS                                                                          \
    "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "s12", "s13",      \
    "s14", "s15", "s16", "s17", "s18", "s19", "s20", "s21", "s22", "s23", "s24", "s25", "s26",   \
    "s27", "s28", "s29", "s30", "s31", "cc", "memory"

/* The block functions: w[r * in + i] (r < R) against x[i] for the first 8 * chunks inputs. Not
 * inlined: their clobbers make a function save s16-s31, which should cost only where assembly runs. */
#define AD7_BLOCK(name, code)                                                                    \
    __attribute__((noinline)) static void name(const float *x, const float *w, uint32_t in,     \
                                               uint32_t chunks, const float *rowvals,            \
                                               uintptr_t e, uintptr_t f)                         \
    {                                                                                            \
        register const float *r0 __asm__("r0") = x;                                              \
        register const float *r1 __asm__("r1") = w;                                              \
        register uint32_t r2 __asm__("r2") = in * 4u;                                            \
        register uint32_t r3 __asm__("r3") = chunks;                                             \
        register const float *r12 __asm__("r12") = rowvals;                                      \
        __asm__ volatile(code                                                                    \
                         : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3)                                \
                         : "r"(r12), [e] "r"(e), [f] "r"(f)                                      \
                         : AD7_FP_CLOBBERS);                                                     \
    }

/* a * b + c with one rounding. fmaf() would give the same, but only at -O1 and above does gcc
 * expand it to VFMA.F32; at -O0 it calls the C library's fmaf, a slow software routine. */
static inline float ad7_fma(float a, float b, float c)
{
    __asm__("vfma.f32 %0, %1, %2" : "+t"(c) : "t"(a), "t"(b));
    return c;
}

/* The in % 8 inputs the assembly leaves: the same fused multiply-adds, continued in order. */
static float ad7_dot_tail(const float *x, const float *w, uint32_t n, float acc)
{
    for (uint32_t i = 0; i < n; ++i) acc = ad7_fma(x[i], w[i], acc);
    return acc;
}

/* w + c * x with the product rounded, then the sum, as the update's assembly (written as assembly
 * so that no compiler contracts it into a fused multiply-add). */
static inline float ad7_mul_add(float c, float x, float w)
{
    float product;
    __asm__("vmul.f32 %0, %1, %2" : "=t"(product) : "t"(c), "t"(x));
    __asm__("vadd.f32 %0, %0, %1" : "+t"(w) : "t"(product));
    return w;
}

static void ad7_axpy_tail(float *w, float c, const float *x, uint32_t n)
{
    for (uint32_t i = 0; i < n; ++i) w[i] = ad7_mul_add(c, x[i], w[i]);
}

/* Rows of fewer inputs than this go to the portable C of linear_common.h: two eight-input chunks
 * are the least that repay an assembly block's set-up (saving registers, loading coefficients);
 * an 8-input layer measured slower in assembly than in C. */
#define AD7_MIN_IN 16u

/* ---- forward ------------------------------------------------------------------------- */

/* y[r] = bias[r] + sum over the first 8 * chunks inputs of x[i] * w[r * in + i], for R = 8, 4, 2,
 * 1 rows (rowvals = bias, or zeros; e = y). The accumulators stay in s24.. for the whole loop,
 * one VLDM in and one VSTM out. %[e] is copied first: gcc may have put it in r4-r11. */
AD7_BLOCK(ad7_fwd8,
          "push {r4-r11}\n\t"
          "mov r11, %[e]\n\t"
          "vldmia r12, {s24-s31}\n\t"
          AD7_ROWS8
          "1:\n\t"
          "vldmia r0!, {s0-s7}\n\t"
          AD7_LOAD_A(r1) AD7_LOAD_B(r4) AD7_FWD_PAIR(24, 25)
          AD7_LOAD_A(r5) AD7_LOAD_B(r6) AD7_FWD_PAIR(26, 27)
          AD7_LOAD_A(r7) AD7_LOAD_B(r8) AD7_FWD_PAIR(28, 29)
          AD7_LOAD_A(r9) AD7_LOAD_B(r10) AD7_FWD_PAIR(30, 31)
          AD7_LOOP_END
          "vstmia r11, {s24-s31}\n\t"
          "pop {r4-r11}\n\t")

AD7_BLOCK(ad7_fwd4,
          "push {r4-r7}\n\t"
          "mov r7, %[e]\n\t"
          "vldmia r12, {s24-s27}\n\t"
          AD7_ROWS4
          "1:\n\t"
          "vldmia r0!, {s0-s7}\n\t"
          AD7_LOAD_A(r1) AD7_LOAD_B(r4) AD7_FWD_PAIR(24, 25)
          AD7_LOAD_A(r5) AD7_LOAD_B(r6) AD7_FWD_PAIR(26, 27)
          AD7_LOOP_END
          "vstmia r7, {s24-s27}\n\t"
          "pop {r4-r7}\n\t")

AD7_BLOCK(ad7_fwd2,
          "vldmia r12, {s24-s25}\n\t"
          "add r2, r1, r2\n\t"
          "1:\n\t"
          "vldmia r0!, {s0-s7}\n\t"
          AD7_LOAD_A(r1) AD7_LOAD_B(r2) AD7_FWD_PAIR(24, 25)
          AD7_LOOP_END
          "vstmia %[e], {s24-s25}\n\t")

AD7_BLOCK(ad7_fwd1,
          "vldmia r12, {s24}\n\t"
          "1:\n\t"
          "vldmia r0!, {s0-s7}\n\t"
          AD7_LOAD_A(r1) AD7_FWD_ONE(24)
          AD7_LOOP_END
          "vstmia %[e], {s24}\n\t")

/* Start values of outputs without a bias. */
static const float ad7_zeros[8] = { 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f };

/* One sample, `rows` rows (8, 4, 2 or 1): y[r] = bias[r] (or 0) plus the in-order fused sum, the
 * first 8 * (in / 8) terms in assembly, the rest in C. */
static void ad7_fwd_rows(const float *x, const float *w, const float *bias, float *y,
                         uint32_t in, uint32_t rows)
{
    const uint32_t chunks = in >> 3, head = chunks << 3;
    const float *start = bias != NULL ? bias : ad7_zeros;
    if (chunks != 0u) {
        switch (rows) {
        case 8: ad7_fwd8(x, w, in, chunks, start, (uintptr_t)y, 0u); break;
        case 4: ad7_fwd4(x, w, in, chunks, start, (uintptr_t)y, 0u); break;
        case 2: ad7_fwd2(x, w, in, chunks, start, (uintptr_t)y, 0u); break;
        default: ad7_fwd1(x, w, in, chunks, start, (uintptr_t)y, 0u); break;
        }
        start = y;
    }
    if (head != in || chunks == 0u)
        for (uint32_t r = 0; r < rows; ++r)
            y[r] = ad7_dot_tail(x + head, w + (size_t)r * in + head, in - head, start[r]);
}

/* Two samples at once (b, b+1), four rows: per row and 8 inputs one VLDM of the weights and 16
 * VFMAs, alternating between the row's accumulator of sample b (s24-s27) and of sample b+1
 * (s28-s31), so each weight is loaded once per two samples. x of sample b in s0-s7, of sample b+1
 * (one stride after it) in s16-s23, weights in s8-s15. rowvals = bias or zeros (both samples
 * start from it), e = y of sample b, f = y of sample b+1: kept on the stack during the loop, as
 * gcc may have put them in r4-r7. */
#define AD7_FWD_TWICE(p, a, b)                                                                   \
    "vldmia " #p "!, {s8-s15}\n\t"                                                              \
    AD7_FMA(a, 0, 8) AD7_FMA(b, 16, 8) AD7_FMA(a, 1, 9) AD7_FMA(b, 17, 9)                        \
    AD7_FMA(a, 2, 10) AD7_FMA(b, 18, 10) AD7_FMA(a, 3, 11) AD7_FMA(b, 19, 11)                    \
    AD7_FMA(a, 4, 12) AD7_FMA(b, 20, 12) AD7_FMA(a, 5, 13) AD7_FMA(b, 21, 13)                    \
    AD7_FMA(a, 6, 14) AD7_FMA(b, 22, 14) AD7_FMA(a, 7, 15) AD7_FMA(b, 23, 15)

AD7_BLOCK(ad7_fwd4x2,
          "str %[f], [sp, #-4]!\n\t"
          "str %[e], [sp, #-4]!\n\t"
          "vldmia r12, {s24-s27}\n\t"
          "vldmia r12, {s28-s31}\n\t"
          "push {r4-r7}\n\t"
          AD7_ROWS4
          "add r7, r0, r2\n\t"
          "1:\n\t"
          "vldmia r0!, {s0-s7}\n\t"
          "vldmia r7!, {s16-s23}\n\t"
          AD7_FWD_TWICE(r1, 24, 28)
          AD7_FWD_TWICE(r4, 25, 29)
          AD7_FWD_TWICE(r5, 26, 30)
          AD7_FWD_TWICE(r6, 27, 31)
          AD7_LOOP_END
          "pop {r4-r7}\n\t"
          "ldr r2, [sp], #4\n\t"
          "ldr r3, [sp], #4\n\t"
          "vstmia r2, {s24-s27}\n\t"
          "vstmia r3, {s28-s31}\n\t")

/* Samples b and b+1 (x, y: sample b's rows) on four rows; the last in % 8 terms in C. */
static void ad7_fwd_rows4_x2(const float *x, const float *w, const float *bias, float *y,
                             uint32_t in, uint32_t out)
{
    const uint32_t chunks = in >> 3, head = chunks << 3;
    const float *start0 = bias != NULL ? bias : ad7_zeros, *start1 = start0;
    if (chunks != 0u) {
        ad7_fwd4x2(x, w, in, chunks, start0, (uintptr_t)y, (uintptr_t)(y + out));
        start0 = y;
        start1 = y + out;
    }
    if (head != in || chunks == 0u)
        for (uint32_t r = 0; r < 4u; ++r) {
            const float *wr = w + (size_t)r * in + head;
            const float a0 = ad7_dot_tail(x + head, wr, in - head, start0[r]);
            const float a1 = ad7_dot_tail(x + in + head, wr, in - head, start1[r]);
            y[r] = a0;
            y[out + r] = a1;
        }
}

/* One sample, rows o .. out-1: blocks of 8, then 4, 2, 1 rows. */
static void ad7_fwd_sample(const float *xb, const float *w, const float *bias, float *yb,
                           uint32_t in, uint32_t o, uint32_t out)
{
    while (o < out) {
        const uint32_t left = out - o;
        const uint32_t rows = left >= 8u ? 8u : left >= 4u ? 4u : left >= 2u ? 2u : 1u;
        ad7_fwd_rows(xb, w + (size_t)o * in, bias != NULL ? bias + o : NULL, yb + o, in, rows);
        o += rows;
    }
}

/* y[b,o] = sum_i x[b,i] * w[o,i] (+ bias[o]).  x [B,in], w [out,in] row-major, bias [out] or NULL,
 * y [B,out]; y aliases nothing. No scratch.
 *
 * Numerics: per (b,o) one accumulator, starting at bias[o] (or +0), then for i = 0..in-1 in order
 * acc = fmaf(x[b,i], w[o,i], acc): bit-identical to that C loop (and to the portable kernel, which
 * rows of fewer than AD7_MIN_IN inputs use).
 *
 * Schedule: one sample: rows in blocks of 8 (then 4, 2, 1), x[i..i+7] loaded once per block and
 * reused by its rows; inner loop per block and 8 inputs: 1 + 8 VLDM, 64 VFMA, SUBS, BNE = 75
 * instructions for 64 weights. Batch > 1: samples in pairs on blocks of 4 rows, each VLDM of
 * weights serving both samples (2 + 4 VLDM, 64 VFMA, SUBS, BNE = 72 per 64 weight-samples);
 * leftover rows (out % 4) and an odd last sample as single samples. Every output keeps its own
 * accumulator and order, so the pairing changes no result.
 *
 * Measured (kernels/armv7em/test/run.sh: QEMU netduinoplus2 instruction count of the whole call,
 * gcc 12 -O2): in=784, out=32, B=1: 29642 instructions, 1.182 per weight (portable C 2.3, plain
 * C loop 5.0). Cortex-M4 cycles: the loop above is 277 per 64 weights (VLDM 9 x 9, VFMA 64 x 3,
 * SUBS 1, taken BNE 3), 4.33 per weight; estimated for the whole call 4.35 (portable 5.0, plain
 * 11.0). Batched, per weight and sample: 260x20, B=16: 1.25 instructions, 4.1 cycles; 16x24,
 * B=4: 1.62, 4.9. */
void ad_linear_f32(const float *x, const float *w, const float *bias, float *y,
                   uint32_t batch, uint32_t in, uint32_t out)
{
    uint32_t b = 0;
    if (in < AD7_MIN_IN) {
        ad_linear_forward_c(x, w, bias, y, batch, in, out);
        return;
    }
    for (; b + 2u <= batch; b += 2u) {
        const float *xb = x + (size_t)b * in;
        float *yb = y + (size_t)b * out;
        uint32_t o = 0;
        for (; o + 4u <= out; o += 4u)
            ad7_fwd_rows4_x2(xb, w + (size_t)o * in, bias != NULL ? bias + o : NULL, yb + o, in, out);
        ad7_fwd_sample(xb, w, bias, yb, in, o, out);
        ad7_fwd_sample(xb + in, w, bias, yb + out, in, o, out);
    }
    if (b < batch) ad7_fwd_sample(x + (size_t)b * in, w, bias, y + (size_t)b * out, in, 0, out);
}

/* ---- fused SGD update ---------------------------------------------------------------- */

/* w[r * in + i] += c[r] * x[i] for the first 8 * chunks inputs of R = 8, 4, 2, 1 rows, where
 * c[r] = -(lr * dy[r]) (rowvals = dy, e = the bits of lr): VNMUL rounds the product once and
 * negates it, exactly that expression. The coefficients stay in s8.. for the whole loop. */
#define AD7_COEFS2(a, b) "vnmul.f32 s" #a ", s" #a ", s0\n\t" "vnmul.f32 s" #b ", s" #b ", s0\n\t"

AD7_BLOCK(ad7_sgd8,
          "push {r4-r11}\n\t"
          "vmov s0, %[e]\n\t"
          "vldmia r12, {s8-s15}\n\t"
          AD7_COEFS2(8, 9) AD7_COEFS2(10, 11) AD7_COEFS2(12, 13) AD7_COEFS2(14, 15)
          AD7_ROWS8
          "1:\n\t"
          "vldmia r0!, {s0-s7}\n\t"
          AD7_UPD_ROW(r1, 8) AD7_UPD_ROW(r4, 9) AD7_UPD_ROW(r5, 10) AD7_UPD_ROW(r6, 11)
          AD7_UPD_ROW(r7, 12) AD7_UPD_ROW(r8, 13) AD7_UPD_ROW(r9, 14) AD7_UPD_ROW(r10, 15)
          AD7_LOOP_END
          "pop {r4-r11}\n\t")

AD7_BLOCK(ad7_sgd4,
          "push {r4-r6}\n\t"
          "vmov s0, %[e]\n\t"
          "vldmia r12, {s8-s11}\n\t"
          AD7_COEFS2(8, 9) AD7_COEFS2(10, 11)
          AD7_ROWS4
          "1:\n\t"
          "vldmia r0!, {s0-s7}\n\t"
          AD7_UPD_ROW(r1, 8) AD7_UPD_ROW(r4, 9) AD7_UPD_ROW(r5, 10) AD7_UPD_ROW(r6, 11)
          AD7_LOOP_END
          "pop {r4-r6}\n\t")

AD7_BLOCK(ad7_sgd2,
          "vmov s0, %[e]\n\t"
          "vldmia r12, {s8-s9}\n\t"
          AD7_COEFS2(8, 9)
          "add r2, r1, r2\n\t"
          "1:\n\t"
          "vldmia r0!, {s0-s7}\n\t"
          AD7_UPD_ROW(r1, 8) AD7_UPD_ROW(r2, 9)
          AD7_LOOP_END)

AD7_BLOCK(ad7_sgd1,
          "vmov s0, %[e]\n\t"
          "vldmia r12, {s8}\n\t"
          "vnmul.f32 s8, s8, s0\n\t"
          "1:\n\t"
          "vldmia r0!, {s0-s7}\n\t"
          AD7_UPD_ROW(r1, 8)
          AD7_LOOP_END)

/* One sample's term for `rows` rows (8, 4, 2 or 1): c[r] = -(lr * dy[r]), then
 * w[r,i] = w[r,i] + c[r] * x[i] (two roundings) for every i, the first 8 * (in / 8) in assembly. */
static void ad7_sgd_rows(float *w, const float *dy, const float *x, uint32_t in, uint32_t rows,
                         float lr)
{
    const uint32_t chunks = in >> 3, head = chunks << 3;
    if (chunks != 0u) {
        uint32_t lr_bits;
        memcpy(&lr_bits, &lr, sizeof lr_bits);
        switch (rows) {
        case 8: ad7_sgd8(x, w, in, chunks, dy, lr_bits, 0u); break;
        case 4: ad7_sgd4(x, w, in, chunks, dy, lr_bits, 0u); break;
        case 2: ad7_sgd2(x, w, in, chunks, dy, lr_bits, 0u); break;
        default: ad7_sgd1(x, w, in, chunks, dy, lr_bits, 0u); break;
        }
    }
    if (head != in)
        for (uint32_t r = 0; r < rows; ++r)
            ad7_axpy_tail(w + (size_t)r * in + head, -(lr * dy[r]), x + head, in - head);
}

/* One sample's terms on rows o .. out-1: blocks of 8, then 4, 2, 1 rows. */
static void ad7_sgd_sample(float *w, const float *dyb, const float *xb, uint32_t in, uint32_t o,
                           uint32_t out, float lr)
{
    while (o < out) {
        const uint32_t left = out - o;
        const uint32_t rows = left >= 8u ? 8u : left >= 4u ? 4u : left >= 2u ? 2u : 1u;
        ad7_sgd_rows(w + (size_t)o * in, dyb + o, xb, in, rows, lr);
        o += rows;
    }
}

/* Plain SGD on a linear layer's weights, the gradient never stored:
 * w[o,i] -= lr * sum_b dy[b,o] * x[b,i].  w [out,in], dy [B,out], x [B,in], all row-major;
 * w aliases neither dy nor x. No scratch.
 *
 * Numerics: for b = 0..B-1 in order, c = -(lr * dy[b,o]) (one single-precision multiply, sign
 * flipped) and w[o,i] = w[o,i] + c * x[b,i], the product rounded, then the sum (VMUL, VADD):
 * bit-identical to that C loop compiled without contraction. Rows of fewer than AD7_MIN_IN inputs
 * take the portable kernel, which fuses the multiply-add; the two agree to float rounding.
 *
 * Schedule: one sample at a time; rows in blocks of 8 (then 4, 2, 1) with their coefficients held
 * in s8-s15 (computed by VNMUL, which rounds lr * dy once and negates it: exactly c), x[i..i+7]
 * loaded once per block; inner loop per block and 8 inputs: 1 VLDM of x, then per row VLDM,
 * 8 VMUL, 8 VADD, VSTM; SUBS, BNE. Cortex-M4 cycles of the loop: VLDM x 9, per row 9 + 8 + 8 + 9,
 * SUBS 1, taken BNE 3: 285 per 64 weights (4.45 per weight; 349 with VFMA). */
void ad_linear_sgd_f32(float *w, const float *dy, const float *x,
                       uint32_t batch, uint32_t in, uint32_t out, float lr)
{
    if (in < AD7_MIN_IN) {
        ad_linear_sgd_c(w, dy, x, batch, in, out, lr);
        return;
    }
    for (uint32_t b = 0; b < batch; ++b) ad7_sgd_sample(w, dy + (size_t)b * out, x + (size_t)b * in, in, 0, out, lr);
}
