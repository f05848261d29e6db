/* SPDX-License-Identifier: MIT */
/* The device stage of the transfer sample: the model's backbone is frozen with the weights the
   host pretrained (int8, or float32 with -p:AutodiffQuantize=false), and only its head trains,
   on classes the backbone never saw. Prints the held-out accuracy; main() returns 0 only when it
   is high enough, so `dotnet build -t:Run` fails when learning on the device does not work. */
#include <stdio.h>

#include "transfer.h"
#include "transfer_data.h"

/* The project defines it with AutodiffQuantize=false, so the output says which backbone ran. */
#ifdef TRANSFER_FLOAT_BACKBONE
#define BACKBONE "float32"
#else
#define BACKBONE "int8"
#endif

static float x[TRANSFER_INPUT_SIZE];
static float y[TRANSFER_CLASSES];
static float scores[TRANSFER_OUTPUT_SIZE];

static int argmax(const float *values, int count)
{
    int best = 0, i;
    for (i = 1; i < count; i++)
        if (values[i] > values[best]) best = i;
    return best;
}

int main(void)
{
    transfer_stage_info_t info;
    uint32_t i, correct = 0, tested = 0;
    int epoch, label;
    float accuracy;

#if TRANSFER_BATCH != 1
#error "the sample trains one sample per step"
#endif
    if (!transfer_stage_info(STAGE_DEVICE, &info)) {
        printf("transfer sample skipped: built without its data (set AUTODIFF_MNIST_DIR and rebuild)\n");
        return 0;
    }
    printf("transfer (%s, %s backbone): learning %s on the device, arena %lu bytes\n",
           info.data_name, BACKBONE, info.classes, (unsigned long)TRANSFER_ARENA_BYTES);
    transfer_init();
    for (epoch = 1; epoch <= info.epochs; epoch++) {
        float total = 0.0f;
        uint32_t steps = 0;
        for (i = 0; i < info.train_slots; i++) {
            if (!transfer_train_sample(STAGE_DEVICE, i, x, y)) continue;
            total += transfer_train_step(x, y);
            steps++;
        }
        printf("epoch %d  %lu steps  loss %.4f\n", epoch, (unsigned long)steps, (double)(total / (float)(steps ? steps : 1)));
    }
    for (i = 0; i < info.test_slots; i++) {
        if (!transfer_test_sample(STAGE_DEVICE, i, x, &label)) continue;
        transfer_predict(x, scores);
        correct += argmax(scores, info.class_count) == label;
        tested++;
    }
    accuracy = tested ? (float)correct / (float)tested : 0.0f;
    printf("accuracy: %.1f%% (%lu of %lu held-out, %s backbone; need %.0f%%)\n", (double)(100.0f * accuracy),
           (unsigned long)correct, (unsigned long)tested, BACKBONE, (double)(100.0f * info.required_accuracy));
    return accuracy >= info.required_accuracy ? 0 : 1;
}
