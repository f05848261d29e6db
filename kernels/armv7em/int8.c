/* SPDX-License-Identifier: MIT */
/*
 * int8.c - frozen int8 layers for Armv7E-M cores (Cortex-M4F, Cortex-M7): the DSP extension's
 * dual 16-bit multiply-accumulate (SMLAD), byte unpacking (SXTB16, SXTAB16) and byte-lane
 * compares (SSUB8 + SEL). Same functions and results, bit for bit, as kernels/portable/int8.c,
 * whose C (../portable/internal/int8_common.h, CMSIS-NN's integer arithmetic) it falls back to.
 * Layouts: activations NHWC int8; conv weights OHWI [out_c,k_h,k_w,in_c], depthwise weights
 * [k_h,k_w,out_c], linear weights [units,in].
 *
 *   ad_conv2d_s8            im2col of four output pixels into int16 pairs (input offset added
 *                           once), then one assembly call runs every filter over them: each
 *                           weight word is unpacked once and feeds eight SMLADs (four pixels x
 *                           two pairs), and the four outputs are requantised in registers
 *   ad_linear_s8            the input unpacked to int16 pairs once per sample, then four rows
 *                           per assembly loop (each input pair feeds four SMLADs)
 *   ad_depthwise_conv2d_s8  ch_mult 1 and at least 4 channels: four channels per word with
 *                           SMLABB/SMLATT (no scratch); else the shared C
 *   ad_maxpool2d_s8         four channels per word with SSUB8 + SEL (a byte-wise max); avgpool,
 *                           dequantize and clamp are the shared C
 *   ad_quantize_s8          the shared formula with the rounding done in integers after one
 *                           VCVT to fixed point, so no library call per element
 *
 * Why not CMSIS-NN here: its DSP convolution pairs two filters with two pixels per pass and
 * unpacks every weight word for those two pixels only (about 1.6 instructions per multiply-
 * accumulate with its loop and re-ordering, then requantisation in C); unpacking each weight
 * word once for four pixels and streaming the pre-unpacked pixels with LDM gives 53
 * instructions per 64 (four groups per pass). On the transfer sample's backbones this file
 * takes half of CMSIS-NN's instructions (bench/transfer/run.sh, kernels/armv7em/README.md).
 *
 * Requantisation: an output is requantize(acc, multiplier, shift) as int8_common.h defines it,
 * a doubling high multiply rounding halves up, then a division by 2^-shift rounding halves away
 * from zero. When a = acc << max(shift, 0) lies in [-2^30, 2^30) the multiply is SMMULR(2a,
 * multiplier), which computes (2a * m + 2^31) >> 32 = (a * m + 2^30) >> 31 exactly, and the
 * division is (v + 2^(r-1) - (v < 0)) >> r, which cannot overflow since |v| <= |a| < 2^30;
 * other accumulators take int8_common.h's C. Both give the same integers. The convolution
 * decides per filter, once per call, from a bound on its sums (ad_conv2d_s8); the other layers
 * per output.
 *
 * Scratch (4-byte aligned, p->scratch_bytes, planned by the engine's Armv7emInt8Scratch):
 *   conv2d: 40 * ceil(K / 4) + 40 * out_c bytes, K = k_h*k_w*in_c: four unpacked patches,
 *           interleaved, an int8 staging patch for windows that are padded or not contiguous
 *           in memory, the last filter's weights padded to whole words, per output channel its
 *           requantisation record and four output bytes for a last block of 1-3 pixels;
 *   linear: 2*in bytes (one unpacked input sample);
 *   the others: none.
 * With less (or a NULL scratch) conv2d and linear run the shared C and count the call in
 * ad_int8_fallbacks, which test/test_int8.c requires to stay 0 for a correct plan.
 * Pointers: weights and activations may have any alignment (Armv7E-M LDR takes unaligned
 * addresses; LDM is used only on the scratch). The assembly saves the registers it uses.
 */
#include <stdint.h>
#include <string.h>

#include "autodiff_kernels.h"

#include "../portable/internal/int8_common.h"

#if !defined(__ARM_FEATURE_DSP) || !__ARM_FEATURE_DSP
#error "kernels/armv7em/int8.c needs the Armv7E-M DSP extension (-mcpu=cortex-m4 or cortex-m7)"
#endif

/* Calls that ran the shared C because the planned scratch was short. Zero in a correctly planned
 * firmware: test/test_int8.c reads it, and so can a debugger. */
uint32_t ad_int8_fallbacks;

/* ---- small helpers ------------------------------------------------------------------------ */

/* Four bytes from any address (LDR on Armv7-M; memcpy so that C sees no misaligned access). */
static inline uint32_t ad7_read4(const int8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* [b0 + o, b2 + o] and [b1 + o, b3 + o] as int16 pairs, from the bytes of v and o = [off, off]. */
static inline uint32_t ad7_sxtab16(uint32_t o, uint32_t v)
{
    uint32_t r;
    __asm__("sxtab16 %0, %1, %2" : "=r"(r) : "r"(o), "r"(v));
    return r;
}
static inline uint32_t ad7_sxtab16_ror8(uint32_t o, uint32_t v)
{
    uint32_t r;
    __asm__("sxtab16 %0, %1, %2, ror #8" : "=r"(r) : "r"(o), "r"(v));
    return r;
}

/* (2a * m + 2^31) >> 32, the rounded high word of the product. */
static inline int32_t ad7_smmulr(int32_t a, int32_t m)
{
    int32_t r;
    __asm__("smmulr %0, %1, %2" : "=r"(r) : "r"(a), "r"(m));
    return r;
}

/* One output channel's requantisation constants. */
typedef struct {
    int32_t mult, left, right, half, shift;
} ad7_requant_t;

static inline ad7_requant_t ad7_requant_of(int32_t multiplier, int32_t shift)
{
    ad7_requant_t q;
    q.mult = multiplier;
    q.shift = shift;
    q.left = shift > 0 ? shift : 0;
    q.right = shift > 0 ? 0 : -shift;
    q.half = q.right > 0 ? (int32_t)(1u << (q.right - 1)) : 0;
    return q;
}

/* requantize(acc) as int8_common.h's ad_s8_requantize (see the file comment for the fast path). */
static inline int32_t ad7_requantize(int32_t acc, const ad7_requant_t *q)
{
    const int32_t a = (int32_t)((uint32_t)acc << q->left);
    if ((uint32_t)a + 0x40000000u >= 0x80000000u) return ad_s8_requantize(acc, q->mult, q->shift);
    const int32_t v = ad7_smmulr((int32_t)((uint32_t)a << 1), q->mult);
    if (q->right == 0) return v;
    return (v + q->half + (v >> 31)) >> q->right;
}

static inline int8_t ad7_output(int32_t acc, const ad7_requant_t *q, int32_t out_off, int32_t lo, int32_t hi)
{
    int32_t v = ad7_requantize(acc, q) + out_off;
    if (v < lo) v = lo;
    if (v > hi) v = hi;
    return (int8_t)v;
}

/* Unpacks k int8 values at src, plus the input offset, into the pair layout the assembly reads:
 * per group of four [x0,x2] then [x1,x3] (SXTB16's order, so weight words unpack the same way),
 * group g at words[g * step]; the k % 4 last values as plain int16 at tail[t * tail_step]. */
static void ad7_unpack(const int8_t *src, uint32_t k, uint32_t *words, uint32_t step, int16_t *tail, uint32_t tail_step,
                       int32_t offset)
{
    const uint32_t off2 = ((uint32_t)offset & 0xFFFFu) * 0x10001u;
    uint32_t g = k >> 2;
    while (g--) {
        const uint32_t v = ad7_read4(src);
        words[0] = ad7_sxtab16(off2, v);
        words[1] = ad7_sxtab16_ror8(off2, v);
        words += step;
        src += 4;
    }
    for (uint32_t t = 0; t < (k & 3u); ++t) tail[t * tail_step] = (int16_t)(src[t] + offset);
}

/* ---- convolution ---------------------------------------------------------------------------- */

/* What ad7_conv_filters reads and advances. It runs `filters` filters whose weights follow each
 * other (K bytes apart) against the four unpacked patches, each over `groups` whole groups of 4
 * (the last group zero-padded in the patches, so the 4 - K % 4 bytes it reads beyond a filter's
 * weights, the next filter's first ones, add nothing). Per filter it starts the four sums from
 * the bias, then either requantises them and stores the four outputs (y, y + y_stride, ...) or,
 * for a filter whose constants say so (right == 0), leaves them in its record's acc[] for the C. */
typedef struct {
    const uint32_t *patch;    /* per group 8 words: pixel 0's [x0,x2], [x1,x3], then pixels 1-3 */
    uint32_t groups;          /* >= 1 */
    uint32_t filters;         /* >= 1; counted down */
    int32_t skip;             /* K - 4 * groups (0 to -3): from one filter's padded end to the next */
    struct ad7_filter_q *q;   /* advanced */
    int8_t *y;                /* the current filter's output for pixel 0; advanced */
    int32_t y_stride;         /* out_c */
    int32_t act_min, act_max;
} ad7_conv_job_t;

/* A filter's constants, prepared once per call, and its sums when the C requantises them. Fast
 * filters (right in 1..22 and no accumulator can leave [-2^30, 2^30) after the left shift: see
 * ad_conv2d_s8) requantise as
 *   v = SMMULR(acc << (left + 1), mult);  out = (v + hb - (v < 0)) >> right
 * with hb = 2^(right-1) + output_offset * 2^right: the offset added before the shift is a multiple
 * of 2^right, so it passes through the floor exactly, and the sum stays below 2^31. */
typedef struct ad7_filter_q {
    int32_t mult, left1, right, hb, bias;
    int32_t acc[4];
} ad7_filter_q_t;

/* Requantises the sum in register RX into r2 (r8-r11 = mult, left + 1, right, hb; r3, r12 =
 * act_min, act_max; r0 scratch); CLAMP_HI is the upper clamp. */
#define AD7_REQUANT(rx, clamp_hi)                                                                \
    "lsl r0, " rx ", r9\n\t"                                                                     \
    "smmulr r0, r0, r8\n\t"                                                                      \
    "add r2, r11, r0\n\t"                                                                        \
    "add r2, r2, r0, asr #31\n\t"                                                                \
    "asr r2, r2, r10\n\t"                                                                        \
    clamp_hi                                                                                     \
    "cmp r2, r3\n\t"                                                                             \
    "it lt\n\t"                                                                                  \
    "movlt r2, r3\n\t"
/* act_max below 127: compare; act_max 127: SSAT to int8 (one instruction). */
#define AD7_CLAMP_HI_CMP "cmp r2, r12\n\t" "it gt\n\t" "movgt r2, r12\n\t"
#define AD7_CLAMP_HI_SSAT "ssat r2, #8, r2\n\t"

#define AD7_CONV_GROUP                                                                           \
    "ldr r12, [r1], #4\n\t"                                                                      \
    "ldmia r2!, {r8-r11}\n\t"                                                                    \
    "sxtb16 r0, r12\n\t"                                                                         \
    "sxtb16 r12, r12, ror #8\n\t"                                                                \
    "smlad r4, r8, r0, r4\n\t"                                                                   \
    "smlad r4, r9, r12, r4\n\t"                                                                  \
    "smlad r5, r10, r0, r5\n\t"                                                                  \
    "smlad r5, r11, r12, r5\n\t"                                                                 \
    "ldmia r2!, {r8-r11}\n\t"                                                                    \
    "smlad r6, r8, r0, r6\n\t"                                                                   \
    "smlad r6, r9, r12, r6\n\t"                                                                  \
    "smlad r7, r10, r0, r7\n\t"                                                                  \
    "smlad r7, r11, r12, r7\n\t"

/* The convolution's hot loop, one function per upper clamp. Per group and filter: LDR of 4
 * weights + 2 SXTB16 (unpacked once for four pixels), 2 LDM of the four pixels' pairs, 8 SMLAD;
 * four groups per pass (then two, then one), so 53 instructions per 64 multiply-accumulates.
 * Per filter about 25 more (job, bias, loop) and 10 or 12 per output for the requantisation. */
#define AD7_CONV_FILTERS(name, clamp_hi)                                                         \
    __attribute__((noinline)) static void name(ad7_conv_job_t *job, const int8_t *w)             \
    {                                                                                            \
        register ad7_conv_job_t *r0 __asm__("r0") = job;                                         \
        register const int8_t *r1 __asm__("r1") = w;                                             \
        __asm__ volatile(                                                                        \
            "push {r4-r11, lr}\n\t"                                                              \
            "mov lr, r0\n\t"                /* lr = the job */                                   \
            "4:\n\t"                                                                             \
            "ldr r0, [lr, #16]\n\t"         /* q */                                              \
            "ldr r4, [r0, #16]\n\t"         /* bias */                                           \
            "mov r5, r4\n\t"                                                                     \
            "mov r6, r4\n\t"                                                                     \
            "mov r7, r4\n\t"                                                                     \
            "ldr r2, [lr, #0]\n\t"                                                               \
            "ldr r3, [lr, #4]\n\t"                                                               \
            "lsrs r3, r3, #1\n\t"           /* C = an odd group first */                         \
            "bcc 2f\n\t"                                                                         \
            AD7_CONV_GROUP                                                                       \
            "2:\n\t"                                                                             \
            "lsrs r3, r3, #1\n\t"           /* C = a pair next, r3 = quadruples */              \
            "bcc 1f\n\t"                                                                         \
            AD7_CONV_GROUP                                                                       \
            AD7_CONV_GROUP                                                                       \
            "1:\n\t"                                                                             \
            "cmp r3, #0\n\t"                                                                     \
            "beq 3f\n\t"                                                                         \
            "5:\n\t"                                                                             \
            AD7_CONV_GROUP                                                                       \
            AD7_CONV_GROUP                                                                       \
            AD7_CONV_GROUP                                                                       \
            AD7_CONV_GROUP                                                                       \
            "subs r3, r3, #1\n\t"                                                                \
            "bne 5b\n\t"                                                                         \
            "3:\n\t"                                                                             \
            "ldr r0, [lr, #16]\n\t"                                                              \
            "ldmia r0!, {r8-r11}\n\t"       /* mult, left + 1, right, hb */                     \
            "cmp r10, #0\n\t"                                                                    \
            "beq 7f\n\t"                                                                         \
            "ldr r3, [lr, #28]\n\t"                                                              \
            "ldr r12, [lr, #32]\n\t"                                                             \
            AD7_REQUANT("r4", clamp_hi)                                                          \
            "ldr r4, [lr, #20]\n\t"         /* y */                                              \
            "strb r2, [r4]\n\t"                                                                  \
            AD7_REQUANT("r5", clamp_hi)                                                          \
            "ldr r5, [lr, #24]\n\t"         /* y_stride */                                       \
            "strb r2, [r4, r5]\n\t"                                                              \
            "add r4, r4, r5, lsl #1\n\t"                                                         \
            AD7_REQUANT("r6", clamp_hi)                                                          \
            "strb r2, [r4]\n\t"                                                                  \
            AD7_REQUANT("r7", clamp_hi)                                                          \
            "strb r2, [r4, r5]\n\t"                                                              \
            "b 6f\n\t"                                                                           \
            "7:\n\t"                                                                             \
            "adds r0, r0, #4\n\t"           /* the record's acc[] */                             \
            "stmia r0, {r4-r7}\n\t"                                                              \
            "6:\n\t"                                                                             \
            "ldr r0, [lr, #16]\n\t"                                                              \
            "adds r0, r0, #36\n\t"          /* sizeof (ad7_filter_q_t) */                        \
            "str r0, [lr, #16]\n\t"                                                              \
            "ldr r0, [lr, #20]\n\t"                                                              \
            "adds r0, r0, #1\n\t"                                                                \
            "str r0, [lr, #20]\n\t"                                                              \
            "ldr r0, [lr, #12]\n\t"                                                              \
            "add r1, r1, r0\n\t"                                                                 \
            "ldr r0, [lr, #8]\n\t"                                                               \
            "subs r0, r0, #1\n\t"                                                                \
            "str r0, [lr, #8]\n\t"                                                               \
            "bne 4b\n\t"                                                                         \
            "pop {r4-r11, lr}\n\t"                                                               \
            : "+r"(r0), "+r"(r1)                                                                 \
            :                                                                                    \
            : "r2", "r3", "r12", "cc", "memory");                                               \
    }

AD7_CONV_FILTERS(ad7_conv_filters, AD7_CLAMP_HI_CMP)
AD7_CONV_FILTERS(ad7_conv_filters_ssat, AD7_CLAMP_HI_SSAT)

#undef AD7_CONV_FILTERS
#undef AD7_CONV_GROUP
#undef AD7_REQUANT

/* Groups of 4 in a patch of k bytes, the last one zero-padded. */
static uint32_t ad7_groups(uint32_t k) { return (k + 3u) >> 2; }

/* Bytes of scratch ad_conv2d_s8 needs (Armv7emInt8Scratch.Conv in the engine): four unpacked
 * patches (32 per group), the int8 staging patch and the last filter's weights padded to whole
 * groups (4 per group each); per output channel its record (36: constants and sums) and four
 * output bytes for a last block of fewer than four pixels. */
static uint32_t ad7_conv_scratch(uint32_t k, uint32_t out_c) { return 40u * ad7_groups(k) + 40u * out_c; }

/* Copies n bytes; short runs (one tap of few channels) without a library call. */
static inline void ad7_copy(int8_t *dst, const int8_t *src, uint32_t n)
{
    if (n >= 16u) {
        memcpy(dst, src, n);
    } else {
        while (n--) *dst++ = *src++;
    }
}

/* The K input bytes of output pixel (row0, col0) of sample xb in patch order (kh, kw, c): a
 * pointer into the input when the window is inside it and its rows follow each other in memory
 * (k_h == 1, or the kernel spans the input's width), else `stage` filled with the input's bytes
 * and the zero point (-input_offset) for taps outside, whose term is then 0. */
static const int8_t *ad7_patch(const ad_conv_s8_t *p, const int8_t *xb, int32_t row0, int32_t col0, int8_t *stage)
{
    const int32_t in_h = p->in_h, in_w = p->in_w, in_c = p->in_c, k_h = p->k_h, k_w = p->k_w;
    const int inside = row0 >= 0 && col0 >= 0 && row0 + k_h <= in_h && col0 + k_w <= in_w;
    const int8_t *src = xb + ((size_t)row0 * in_w + col0) * in_c;
    if (inside && (k_h == 1 || k_w == in_w)) return src;
    const uint32_t row_bytes = (uint32_t)(k_w * in_c);
    if (inside) {
        /* rows of the window one after the other */
        const size_t in_row = (size_t)in_w * in_c;
        int8_t *d = stage;
        for (int32_t kh = 0; kh < k_h; ++kh, d += row_bytes, src += in_row) ad7_copy(d, src, row_bytes);
        return stage;
    }
    const int8_t zero_point = (int8_t)(-p->input_offset);
    int32_t kw0, kw1;
    ad_s8_window(col0, k_w, in_w, &kw0, &kw1);
    int8_t *d = stage;
    for (int32_t kh = 0; kh < k_h; ++kh, d += row_bytes) {
        const int32_t row = row0 + kh;
        if (row < 0 || row >= in_h || kw0 >= kw1) {
            memset(d, zero_point, row_bytes);
            continue;
        }
        if (kw0 > 0) memset(d, zero_point, (size_t)kw0 * in_c);
        ad7_copy(d + kw0 * in_c, xb + ((size_t)row * in_w + col0 + kw0) * in_c, (uint32_t)((kw1 - kw0) * in_c));
        if (kw1 < k_w) memset(d + kw1 * in_c, zero_point, (size_t)(k_w - kw1) * in_c);
    }
    return stage;
}

/* Unpacks one pixel's patch (k bytes at src) into slot `slot` of the four-pixel layout, input
 * offset added; the last group's missing bytes become 0 (their byte is the zero point). */
static void ad7_unpack_patch(const int8_t *src, uint32_t k, uint32_t *patch, uint32_t slot, int32_t offset)
{
    const uint32_t off2 = ((uint32_t)offset & 0xFFFFu) * 0x10001u;
    uint32_t *d = patch + 2u * slot;
    uint32_t g = k >> 2;
    for (; g >= 2u; g -= 2u, d += 16, src += 8) {
        /* two groups per pass: the loads issue back to back and the loop costs half as much */
        const uint32_t v0 = ad7_read4(src), v1 = ad7_read4(src + 4);
        d[0] = ad7_sxtab16(off2, v0);
        d[1] = ad7_sxtab16_ror8(off2, v0);
        d[8] = ad7_sxtab16(off2, v1);
        d[9] = ad7_sxtab16_ror8(off2, v1);
    }
    if (g) {
        const uint32_t v = ad7_read4(src);
        d[0] = ad7_sxtab16(off2, v);
        d[1] = ad7_sxtab16_ror8(off2, v);
        d += 8;
        src += 4;
    }
    if (k & 3u) {
        int8_t last[4];
        memset(last, (int8_t)(-offset), 4);
        for (uint32_t t = 0; t < (k & 3u); ++t) last[t] = src[t];
        const uint32_t v = ad7_read4(last);
        d[0] = ad7_sxtab16(off2, v);
        d[1] = ad7_sxtab16_ror8(off2, v);
    }
}

/* Convolution (file comment): output pixels n = (b, oh, ow) in blocks of four; each block's
 * patches unpacked into scratch, then the assembly runs every filter over them and requantises
 * the four outputs of each fast one; the C those of the others. A last block of 1-3 pixels runs
 * with zeroed patches in the unused slots and its outputs go through scratch. */
void ad_conv2d_s8(const ad_conv_s8_t *p, const int8_t *x, int8_t *y, void *scratch)
{
    const uint32_t k = (uint32_t)p->k_h * p->k_w * p->in_c, groups = ad7_groups(k), tail = k & 3u;
    const uint32_t out_c = p->out_c;
    if (scratch == NULL || p->scratch_bytes < ad7_conv_scratch(k, out_c) || k == 0u || out_c == 0u) {
        ++ad_int8_fallbacks;
        ad_s8_conv_loops(p, x, y, 0);
        return;
    }
    ad7_filter_q_t *fq = (ad7_filter_q_t *)scratch;                 /* 36 * out_c bytes */
    uint32_t *patches = (uint32_t *)(fq + out_c);                   /* 32 * groups */
    int8_t *stage = (int8_t *)(patches + 8u * groups);              /* 4 * groups */
    int8_t *last_filter = stage + 4u * groups;                      /* 4 * groups */
    int8_t *y_last = last_filter + 4u * groups;                     /* 4 * out_c */
    const int32_t in_off = p->input_offset, out_off = p->output_offset, lo = p->act_min, hi = p->act_max;
    const int32_t out_w = p->out_w, out_h = p->out_h, stride_h = p->stride_h, stride_w = p->stride_w;
    const int32_t pad_top = p->pad_top, pad_left = p->pad_left;
    const uint32_t pixels = (uint32_t)p->batch * out_h * out_w;
    const size_t in_sample = (size_t)p->in_h * p->in_w * p->in_c;
    void (*const filters)(ad7_conv_job_t *, const int8_t *) = hi == 127 ? ad7_conv_filters_ssat : ad7_conv_filters;

    /* Per filter: the fast path's constants when |acc| <= |bias| + 255 * 128 * K (|x + offset| <=
     * 255, |w| <= 128) keeps acc << left inside [-2^30, 2^30) and 1 <= right <= 22; else
     * right = 0 (C). With no left shift and a bias below 2^29 that holds up to K = 16,000. */
    int any_slow = 0;
    for (uint32_t o = 0; o < out_c; ++o) {
        const int32_t shift = p->shift[o], bias = p->bias ? p->bias[o] : 0;
        const int32_t left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift;
        const uint64_t bound = ((uint64_t)(bias < 0 ? -(int64_t)bias : bias) + 255u * 128u * (uint64_t)k) << (left > 31 ? 31 : left);
        const int fast = right >= 1 && right <= 22 && bound < ((uint64_t)1 << 30);
        fq[o].mult = p->multiplier[o];
        fq[o].left1 = left + 1;
        fq[o].right = fast ? right : 0;
        fq[o].hb = fast ? (int32_t)(1u << (right - 1)) + (int32_t)((uint32_t)out_off << right) : 0;
        fq[o].bias = bias;
        any_slow |= !fast;
    }
    /* With K % 4 != 0, the last filter's weights padded to whole groups, so that no group reads
     * past the array. */
    if (tail) {
        memset(last_filter, 0, 4u * groups);
        memcpy(last_filter, p->weight + (size_t)(out_c - 1u) * k, k);
    }

    int32_t b = 0, oh = 0, ow = 0;
    for (uint32_t n = 0; n < pixels; n += 4u) {
        const uint32_t count = pixels - n < 4u ? pixels - n : 4u;
        for (uint32_t j = 0; j < 4u; ++j) {
            if (j >= count) {
                for (uint32_t g = 0; g < groups; ++g) patches[g * 8u + 2u * j] = patches[g * 8u + 2u * j + 1u] = 0u;
                continue;
            }
            const int8_t *src = ad7_patch(p, x + (size_t)b * in_sample, oh * stride_h - pad_top, ow * stride_w - pad_left, stage);
            ad7_unpack_patch(src, k, patches, j, in_off);
            if (++ow == out_w) {
                ow = 0;
                if (++oh == out_h) { oh = 0; ++b; }
            }
        }
        int8_t *yn = count == 4u ? y + (size_t)n * out_c : y_last;
        /* every filter but the layer's last, then that one from its padded copy (the assembly
         * has advanced q and y to it) */
        const uint32_t direct = tail ? out_c - 1u : out_c;
        ad7_conv_job_t job = { patches, groups, direct, (int32_t)k - 4 * (int32_t)groups, fq, yn, (int32_t)out_c, lo, hi };
        if (direct) filters(&job, p->weight);
        if (direct < out_c) {
            job.filters = 1u;
            filters(&job, last_filter);
        }
        if (any_slow)
            for (uint32_t o = 0; o < out_c; ++o)
                if (!fq[o].right)
                    for (uint32_t j = 0; j < 4u; ++j)
                        yn[(size_t)j * out_c + o] = ad_s8_output(fq[o].acc[j], p->multiplier[o], p->shift[o], out_off, lo, hi);
        if (count < 4u) memcpy(y + (size_t)n * out_c, y_last, (size_t)count * out_c);
    }
}

/* ---- fully connected -------------------------------------------------------------------------- */

/* acc[r] += sum over `groups` groups of 4 weights of row r (rows at w + r * in, any alignment)
 * times the unpacked input pairs (2 words per group), r < 4. acc[4] holds `in` (the row stride).
 * Per group: LDM of the input's 2 words, then per row LDR + 2 SXTB16 + 2 SMLAD. */
__attribute__((noinline)) static void ad7_linear_mac4(int32_t *acc, const int8_t *w, const uint32_t *xs, uint32_t groups)
{
    register int32_t *r0 __asm__("r0") = acc;
    register const int8_t *r1 __asm__("r1") = w;
    register const uint32_t *r2 __asm__("r2") = xs;
    register uint32_t r3 __asm__("r3") = groups;
    __asm__ volatile(
        "push {r0, r4-r11, lr}\n\t"
        "ldr lr, [r0, #16]\n\t"          /* lr = row stride */
        "ldmia r0, {r4-r7}\n\t"
        "add r12, r1, lr, lsl #1\n\t"    /* r12 = row 2; rows 1 and 3 at +lr */
        "1:\n\t"
        "ldmia r2!, {r8, r9}\n\t"
        "ldr r11, [r1, lr]\n\t"
        "ldr r0, [r1], #4\n\t"
        "sxtb16 r10, r11\n\t"
        "sxtb16 r11, r11, ror #8\n\t"
        "smlad r5, r8, r10, r5\n\t"
        "smlad r5, r9, r11, r5\n\t"
        "sxtb16 r10, r0\n\t"
        "sxtb16 r0, r0, ror #8\n\t"
        "smlad r4, r8, r10, r4\n\t"
        "smlad r4, r9, r0, r4\n\t"
        "ldr r11, [r12, lr]\n\t"
        "ldr r0, [r12], #4\n\t"
        "sxtb16 r10, r11\n\t"
        "sxtb16 r11, r11, ror #8\n\t"
        "smlad r7, r8, r10, r7\n\t"
        "smlad r7, r9, r11, r7\n\t"
        "sxtb16 r10, r0\n\t"
        "sxtb16 r0, r0, ror #8\n\t"
        "smlad r6, r8, r10, r6\n\t"
        "smlad r6, r9, r0, r6\n\t"
        "subs r3, r3, #1\n\t"
        "bne 1b\n\t"
        "pop {r0}\n\t"
        "stmia r0, {r4-r7}\n\t"
        "pop {r4-r11, lr}\n\t"
        : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3)
        :
        : "r12", "cc", "memory");
}

/* Fully connected (file comment): per sample the input unpacked once into scratch, then rows in
 * fours through the assembly, the in % 4 last terms and the last units % 4 rows in C. */
void ad_linear_s8(const ad_linear_s8_t *p, const int8_t *x, int8_t *y, void *scratch)
{
    const uint32_t in = p->in, groups = in >> 2, tail = in & 3u;
    if (scratch == NULL || p->scratch_bytes < 2u * in || in == 0u) {
        ++ad_int8_fallbacks;
        ad_s8_linear_loops(p, x, y);
        return;
    }
    uint32_t *xs = (uint32_t *)scratch;
    int16_t *xt = (int16_t *)(xs + 2u * groups);
    for (uint32_t b = 0; b < p->batch; ++b) {
        const int8_t *xb = x + (size_t)b * in;
        int8_t *yb = y + (size_t)b * p->units;
        ad7_unpack(xb, in, xs, 2u, xt, 1u, p->input_offset);
        uint32_t u = 0;
        for (; u + 4u <= p->units && groups; u += 4u) {
            const int8_t *w = p->weight + (size_t)u * in;
            int32_t acc[5];
            for (uint32_t r = 0; r < 4u; ++r) acc[r] = p->bias ? p->bias[u + r] : 0;
            acc[4] = (int32_t)in;
            ad7_linear_mac4(acc, w, xs, groups);
            for (uint32_t r = 0; r < 4u; ++r) {
                const int8_t *wt = w + (size_t)r * in + groups * 4u;
                for (uint32_t t = 0; t < tail; ++t) acc[r] += xt[t] * wt[t];
                const ad7_requant_t q = ad7_requant_of(p->multiplier[u + r], p->shift[u + r]);
                yb[u + r] = ad7_output(acc[r], &q, p->output_offset, p->act_min, p->act_max);
            }
        }
        for (; u < p->units; ++u) {
            /* the last rows: SMLAD on the unpacked pairs, one row at a time */
            const int8_t *w = p->weight + (size_t)u * in;
            int32_t acc = p->bias ? p->bias[u] : 0;
            for (uint32_t g = 0; g < groups; ++g) {
                const uint32_t wv = ad7_read4(w + 4u * g);
                acc = (int32_t)__builtin_arm_smlad((int32_t)xs[2u * g], (int32_t)__builtin_arm_sxtb16((int32_t)wv), acc);
                acc = (int32_t)__builtin_arm_smlad((int32_t)xs[2u * g + 1u], (int32_t)__builtin_arm_sxtb16((int32_t)((wv >> 8) | (wv << 24))), acc);
            }
            for (uint32_t t = 0; t < tail; ++t) acc += xt[t] * w[groups * 4u + t];
            const ad7_requant_t q = ad7_requant_of(p->multiplier[u], p->shift[u]);
            yb[u] = ad7_output(acc, &q, p->output_offset, p->act_min, p->act_max);
        }
    }
}

/* ---- depthwise convolution -------------------------------------------------------------------- */

/* Depthwise: with ch_mult 1, output channel c reads input channel c, so four neighbouring
 * channels share each input and weight word: unpacked to pairs ([c0,c2], [c1,c3]), multiplied
 * lane by lane (SMLABB / SMLATT) into four accumulators. The in_c % 4 last channels, and other
 * channel multipliers, take the shared C per output. No scratch. */
void ad_depthwise_conv2d_s8(const ad_conv_s8_t *p, const int8_t *x, int8_t *y, void *scratch)
{
    (void)scratch;
    const int32_t in_h = p->in_h, in_w = p->in_w, c_n = p->in_c, out_c = p->out_c;
    if (p->ch_mult > 1u || c_n < 4) {
        ad_s8_conv_loops(p, x, y, 1);
        return;
    }
    const uint32_t off2 = ((uint32_t)p->input_offset & 0xFFFFu) * 0x10001u;
    for (uint32_t b = 0; b < p->batch; ++b) {
        const int8_t *xb = x + (size_t)b * in_h * in_w * c_n;
        for (int32_t oh = 0; oh < p->out_h; ++oh) {
            const int32_t row0 = oh * p->stride_h - p->pad_top;
            int32_t kh0, kh1;
            ad_s8_window(row0, p->k_h, in_h, &kh0, &kh1);
            for (int32_t ow = 0; ow < p->out_w; ++ow) {
                const int32_t col0 = ow * p->stride_w - p->pad_left;
                int32_t kw0, kw1;
                ad_s8_window(col0, p->k_w, in_w, &kw0, &kw1);
                int8_t *yo = y + (((size_t)b * p->out_h + oh) * p->out_w + ow) * out_c;
                int32_t c = 0;
                for (; c + 4 <= c_n; c += 4) {
                    int32_t a0 = p->bias ? p->bias[c] : 0, a1 = p->bias ? p->bias[c + 1] : 0;
                    int32_t a2 = p->bias ? p->bias[c + 2] : 0, a3 = p->bias ? p->bias[c + 3] : 0;
                    for (int32_t kh = kh0; kh < kh1; ++kh) {
                        const int8_t *xr = xb + ((size_t)(row0 + kh) * in_w + col0) * c_n + c;
                        const int8_t *wr = p->weight + (size_t)kh * p->k_w * out_c + c;
                        for (int32_t kw = kw0; kw < kw1; ++kw) {
                            const uint32_t xv = ad7_read4(xr + (size_t)kw * c_n), wv = ad7_read4(wr + (size_t)kw * out_c);
                            const int32_t x02 = (int32_t)ad7_sxtab16(off2, xv), x13 = (int32_t)ad7_sxtab16_ror8(off2, xv);
                            const int32_t w02 = (int32_t)ad7_sxtab16(0u, wv), w13 = (int32_t)ad7_sxtab16_ror8(0u, wv);
                            a0 = __builtin_arm_smlabb(x02, w02, a0);
                            a2 = __builtin_arm_smlatt(x02, w02, a2);
                            a1 = __builtin_arm_smlabb(x13, w13, a1);
                            a3 = __builtin_arm_smlatt(x13, w13, a3);
                        }
                    }
                    const int32_t accs[4] = { a0, a1, a2, a3 };
                    for (int32_t j = 0; j < 4; ++j) {
                        const ad7_requant_t q = ad7_requant_of(p->multiplier[c + j], p->shift[c + j]);
                        yo[c + j] = ad7_output(accs[j], &q, p->output_offset, p->act_min, p->act_max);
                    }
                }
                for (; c < c_n; ++c) {
                    int32_t acc = p->bias ? p->bias[c] : 0;
                    for (int32_t kh = kh0; kh < kh1; ++kh)
                        for (int32_t kw = kw0; kw < kw1; ++kw)
                            acc += ((int32_t)xb[((size_t)(row0 + kh) * in_w + (col0 + kw)) * c_n + c] + p->input_offset) *
                                   p->weight[((size_t)kh * p->k_w + kw) * out_c + c];
                    const ad7_requant_t q = ad7_requant_of(p->multiplier[c], p->shift[c]);
                    yo[c] = ad7_output(acc, &q, p->output_offset, p->act_min, p->act_max);
                }
            }
        }
    }
}

/* ---- pooling, conversions ------------------------------------------------------------------- */

/* Byte-wise signed max / min of four lanes: SSUB8 sets a lane's GE bit when a - b >= 0, SEL then
 * takes that lane from a, else from b. */
static inline uint32_t ad7_max4(uint32_t a, uint32_t b)
{
    uint32_t r;
    __asm__("ssub8 %0, %1, %2\n\tsel %0, %1, %2" : "=&r"(r) : "r"(a), "r"(b) : "cc");
    return r;
}
static inline uint32_t ad7_min4(uint32_t a, uint32_t b)
{
    uint32_t r;
    __asm__("ssub8 %0, %2, %1\n\tsel %0, %1, %2" : "=&r"(r) : "r"(a), "r"(b) : "cc");
    return r;
}

/* out[i] = max(out[i], t[i]) for i < n, four lanes per word (the last n % 4 bytes one by one);
 * with first, out = t. */
__attribute__((noinline)) static void ad7_max_into(int8_t *out, const int8_t *t, uint32_t n, int first)
{
    uint32_t i = 0;
    if (first) {
        for (; i + 4u <= n; i += 4u) {
            const uint32_t v = ad7_read4(t + i);
            memcpy(out + i, &v, 4);
        }
        for (; i < n; ++i) out[i] = t[i];
        return;
    }
    for (; i + 4u <= n; i += 4u) {
        const uint32_t m = ad7_max4(ad7_read4(t + i), ad7_read4(out + i));
        memcpy(out + i, &m, 4);
    }
    for (; i < n; ++i)
        if (t[i] > out[i]) out[i] = t[i];
}

/* Max pooling, one output pixel at a time: its first valid tap's channels copied to the output,
 * each further tap max-ed into them four channels per word (SSUB8 + SEL), then the activation
 * range if it is narrower than int8. No scratch. */
void ad_maxpool2d_s8(const ad_pool_s8_t *p, const int8_t *x, int8_t *y, void *scratch)
{
    (void)scratch;
    const int32_t in_h = p->in_h, in_w = p->in_w, ch = p->channels, k_h = p->k_h, k_w = p->k_w;
    const int32_t out_h = p->out_h, out_w = p->out_w, stride_h = p->stride_h, stride_w = p->stride_w;
    const int32_t pad_top = p->pad_top, pad_left = p->pad_left, lo = p->act_min, hi = p->act_max;
    const uint32_t lo4 = ((uint32_t)lo & 0xFFu) * 0x01010101u, hi4 = ((uint32_t)hi & 0xFFu) * 0x01010101u;
    const int clamp = lo > -128 || hi < 127;
    const size_t row_bytes = (size_t)in_w * ch;
    const uint32_t batch = p->batch;
    int8_t *yo = y;
    for (uint32_t b = 0; b < batch; ++b) {
        const int8_t *xb = x + (size_t)b * in_h * row_bytes;
        for (int32_t oh = 0; oh < out_h; ++oh) {
            const int32_t row0 = oh * stride_h - pad_top;
            int32_t kh0, kh1;
            ad_s8_window(row0, k_h, in_h, &kh0, &kh1);
            for (int32_t ow = 0; ow < out_w; ++ow, yo += ch) {
                const int32_t col0 = ow * stride_w - pad_left;
                int32_t kw0, kw1;
                ad_s8_window(col0, k_w, in_w, &kw0, &kw1);
                const int8_t *xr = xb + (size_t)(row0 + kh0) * row_bytes + (size_t)(col0 + kw0) * ch;
                if ((kh1 - kh0) * (kw1 - kw0) == 2 && (ch & 3) == 0) {
                    /* two taps (a 2x1 or 1x2 window, or an edge): one pass */
                    const int8_t *xs = kh1 - kh0 == 2 ? xr + row_bytes : xr + ch;
                    for (int32_t c = 0; c < ch; c += 4) {
                        const uint32_t m = ad7_max4(ad7_read4(xr + c), ad7_read4(xs + c));
                        memcpy(yo + c, &m, 4);
                    }
                } else {
                int first = 1;
                for (int32_t kh = kh0; kh < kh1; ++kh, xr += row_bytes) {
                    const int8_t *xt = xr;
                    for (int32_t kw = kw0; kw < kw1; ++kw, xt += ch, first = 0) ad7_max_into(yo, xt, (uint32_t)ch, first);
                }
                }
                if (clamp) {
                    int32_t c = 0;
                    for (; c + 4 <= ch; c += 4) {
                        const uint32_t m = ad7_min4(ad7_max4(ad7_read4(yo + c), lo4), hi4);
                        memcpy(yo + c, &m, 4);
                    }
                    for (; c < ch; ++c) yo[c] = (int8_t)(yo[c] < lo ? lo : yo[c] > hi ? hi : yo[c]);
                }
            }
        }
    }
}

void ad_avgpool2d_s8(const ad_pool_s8_t *p, const int8_t *x, int8_t *y, void *scratch)
{
    (void)scratch;
    ad_s8_pool_loops(p, x, y, 1);
}

/* ad_quantize_s8 without roundf: v = x * inv_scale (the same float product), then
 * t = trunc(2v) by VCVT to fixed point with one fraction bit (exact, saturating for huge v), and
 * round-half-away(v) = sign(t) * ((|t| + 1) >> 1), since floor((|2v| + 1) / 2) only depends on
 * floor(|2v|). Limiting t to +-2048 (SSAT) stands for the ABI's limit of v to +-512: either way
 * the result saturates to int8 after the zero point is added. NaN, which VCVT would make 0,
 * takes the ABI's -512. */
void ad_quantize_s8(const float *x, int8_t *y, uint32_t n, float inv_scale, int32_t zero_point)
{
    for (uint32_t i = 0; i < n; ++i) {
        float v = x[i] * inv_scale;
        int32_t q;
        if (v != v) {
            q = -512;
        } else {
            __asm__("vcvt.s32.f32 %0, %0, #1" : "+t"(v));
            int32_t t;
            memcpy(&t, &v, 4);
            t = __builtin_arm_ssat(t, 12);
            const int32_t sign = t >> 31;
            q = ((((t ^ sign) - sign + 1) >> 1) ^ sign) - sign;
        }
        y[i] = (int8_t)__builtin_arm_ssat(q + zero_point, 8);
    }
}

void ad_dequantize_s8(const int8_t *x, float *y, uint32_t n, float scale, int32_t zero_point)
{
    ad_s8_dequantize_loop(x, y, n, scale, zero_point);
}

void ad_clamp_s8(const int8_t *x, int8_t *y, uint32_t n, int32_t lo, int32_t hi)
{
    ad_s8_clamp_loop(x, y, n, lo, hi);
}
