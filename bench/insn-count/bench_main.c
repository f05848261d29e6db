/* SPDX-License-Identifier: MIT */
/* Instruction-count benchmark firmware, generic over the model: build with -DMODEL=<model C name>
   (the `name:` of the model file). It initialises the model, runs AD_BENCH_WARMUP training steps,
   then AD_BENCH_STEPS steps each between ad_bench_start() and ad_bench_stop(), which the QEMU
   plugin in bench/qemu-insn-count counts between. Inputs and targets are fixed pseudo-random
   values, identical on every run. Prints one line with the parameter count, the multiply-
   accumulates per step (NAME_STEP_MACS, "?" when the generated header has none) and the losses,
   and returns 0 when every loss was finite. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>

#ifndef MODEL
#error "build with -DMODEL=<model name>, e.g. AutodiffDefines=MODEL=mnist_mlp"
#endif
#ifndef AD_BENCH_WARMUP
#define AD_BENCH_WARMUP 2
#endif
#ifndef AD_BENCH_STEPS
#define AD_BENCH_STEPS 5
#endif

#define AD_CAT_(a, b) a##b
#define AD_CAT(a, b) AD_CAT_(a, b)
#define AD_STR_(a) #a
#define AD_STR(a) AD_STR_(a)
/* MODEL(x) names the model's symbol x: M(_train_step) is mnist_mlp_train_step. */
#define M(suffix) AD_CAT(MODEL, suffix)

#include AD_STR(MODEL.h)

/* The counting window's markers. noipa keeps them out of line and stops gcc merging the two
   identical bodies (identical code folding), so each has its own address. */
void ad_bench_start(void);
void ad_bench_stop(void);
__attribute__((noipa)) void ad_bench_start(void) { __asm__ volatile(""); }
__attribute__((noipa)) void ad_bench_stop(void) { __asm__ volatile(""); }

/* Phase markers: with AD_BENCH_PHASES defined (the bench project passes it), the generated
   training step calls AD_PHASE(forward), AD_PHASE(backward) and AD_PHASE(update) at each phase
   change, which autodiff_kernels.h maps to these functions. The plugin attributes each counted
   instruction to the phase of the last marker executed in the window (a marker's own instruction
   to the phase it starts); each window starts in forward. Generated code without the calls
   leaves the whole step in forward. */
void ad_bench_phase_forward(void);
void ad_bench_phase_backward(void);
void ad_bench_phase_update(void);
__attribute__((noipa)) void ad_bench_phase_forward(void) { __asm__ volatile(""); }
__attribute__((noipa)) void ad_bench_phase_backward(void) { __asm__ volatile(""); }
__attribute__((noipa)) void ad_bench_phase_update(void) { __asm__ volatile(""); }

/* NAME_STEP_MACS (multiply-accumulates of one training step, counted by the engine) is printed
   when the generated header defines it. #ifdef cannot test a pasted name, so this relies on #if
   replacing an undefined identifier by 0: defined as "<n>u", 0 - n - 1 is a large unsigned
   value; undefined, it is -1. Any non-zero definition also passes the first test. */
#if M(_STEP_MACS) || (0 - M(_STEP_MACS) - 1) > 0
#define AD_BENCH_HAVE_MACS 1
#endif

static float x[M(_BATCH) * M(_INPUT_SIZE)];
static float y[M(_BATCH) * M(_TARGET_SIZE)];

int main(void)
{
    uint32_t state = 12345u, params = 0, i;
    float first = 0.0f, last = 0.0f;
    int finite = 1, step;

    /* Inputs in [0, 1); targets one-hot per sample (class = sample index mod target size),
       which is also a +1 target for single-output losses (bce, hinge). */
    for (i = 0; i < sizeof x / sizeof x[0]; i++) {
        state = state * 1664525u + 1013904223u;
        x[i] = (float)(state >> 8) * (1.0f / 16777216.0f);
    }
    for (i = 0; i < sizeof y / sizeof y[0]; i++)
        y[i] = (i % M(_TARGET_SIZE)) == (i / M(_TARGET_SIZE)) % M(_TARGET_SIZE) ? 1.0f : 0.0f;
    for (i = 0; i < M(_param_count); i++) params += M(_params)[i].count;

    M(_init)();
    for (step = 0; step < AD_BENCH_WARMUP; step++) {
        float loss = M(_train_step)(x, y);
        if (step == 0) first = loss;
        finite = finite && isfinite(loss);
    }
    for (step = 0; step < AD_BENCH_STEPS; step++) {
        float loss;
        ad_bench_start();
        loss = M(_train_step)(x, y);
        ad_bench_stop();
        last = loss;
        finite = finite && isfinite(loss);
    }
#ifdef AD_BENCH_HAVE_MACS
    printf("bench: model=%s params=%lu macs=%lu steps=%d loss_first=%g loss_last=%g\n",
           AD_STR(MODEL), (unsigned long)params, (unsigned long)M(_STEP_MACS), AD_BENCH_STEPS,
           (double)first, (double)last);
#else
    printf("bench: model=%s params=%lu macs=? steps=%d loss_first=%g loss_last=%g\n",
           AD_STR(MODEL), (unsigned long)params, AD_BENCH_STEPS, (double)first, (double)last);
#endif
    return finite ? 0 : 3;
}
