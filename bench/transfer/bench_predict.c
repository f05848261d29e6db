/* SPDX-License-Identifier: MIT */
/* Instruction-count firmware for the transfer sample's model: built in a project that imports
   samples/transfer/TransferData.props (so the same model file, data and pretrained weights), it
   runs AD_BENCH_WARMUP forward passes (transfer_predict) on held-out samples of the device stage,
   then AD_BENCH_STEPS more, each between ad_bench_start() and ad_bench_stop(), which
   bench/qemu-insn-count counts between. transfer_predict is the whole forward pass: quantising the
   input, the frozen backbone (int8, or float32 with AutodiffQuantize=false), and the small float
   head. */
#include <stdint.h>
#include <stdio.h>

#include "transfer.h"
#include "transfer_data.h"

#ifndef AD_BENCH_WARMUP
#define AD_BENCH_WARMUP 2
#endif
#ifndef AD_BENCH_STEPS
#define AD_BENCH_STEPS 5
#endif

/* noipa keeps the markers out of line and distinct (see bench/qemu-insn-count/README.md). */
void ad_bench_start(void);
void ad_bench_stop(void);
__attribute__((noipa)) void ad_bench_start(void) { __asm__ volatile(""); }
__attribute__((noipa)) void ad_bench_stop(void) { __asm__ volatile(""); }

static float x[TRANSFER_INPUT_SIZE];
static float out[TRANSFER_OUTPUT_SIZE];

int main(void)
{
    transfer_stage_info_t info;
    uint32_t index = 0;
    int done = 0, label;

    if (!transfer_stage_info(STAGE_DEVICE, &info)) {
        printf("bench: built without the data set\n");
        return 2;
    }
    transfer_init();
    while (done < AD_BENCH_WARMUP + AD_BENCH_STEPS && index < info.test_slots) {
        if (!transfer_test_sample(STAGE_DEVICE, index++, x, &label)) continue;
        if (done >= AD_BENCH_WARMUP) ad_bench_start();
        transfer_predict(x, out);
        if (done >= AD_BENCH_WARMUP) ad_bench_stop();
        done++;
    }
    printf("bench: data=%s predicts=%d\n", info.data_name, done - AD_BENCH_WARMUP);
    return done == AD_BENCH_WARMUP + AD_BENCH_STEPS ? 0 : 3;
}
