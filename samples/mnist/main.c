/* SPDX-License-Identifier: MIT */
/* Trains the generated `mnist_mlp` model on real handwritten digits kept in flash, then measures
   it on 1,000 digits it never saw. main() returns 0 only when the accuracy is high enough, so
   `dotnet build -t:Run` fails when training on the device does not work. */
#include <stdio.h>

#include "mnist_data.h"
#include "mnist_mlp.h"

#define EPOCHS 2
#define REPORT_EVERY 1000
#define REQUIRED_ACCURACY 0.85f

#if MNIST_MLP_INPUT_SIZE != MNIST_PIXELS || MNIST_MLP_TARGET_SIZE != MNIST_CLASSES || MNIST_MLP_OUTPUT_SIZE != MNIST_CLASSES
#error "the model must take 28x28 pixels and give 10 class scores"
#endif

/* Only one batch is unpacked to floats at a time: the digits stay packed in flash, and RAM goes
   to the model's arena. */
static float pixels[MNIST_MLP_BATCH * MNIST_PIXELS];
static float targets[MNIST_MLP_BATCH * MNIST_CLASSES];
static float scores[MNIST_MLP_BATCH * MNIST_CLASSES];

/* Expands `count` packed digits from `set`, starting at `index`, into `pixels` (and one-hot
   `targets`, when given). */
static void unpack(const mnist_set_t *set, uint32_t index, int count, float *out_pixels, float *out_targets)
{
    int n;
    int p;
    for (n = 0; n < count; n++) {
        const uint8_t *packed = &set->images[(index + (uint32_t)n) * MNIST_IMAGE_BYTES];
        for (p = 0; p < MNIST_PIXELS; p++) {
            out_pixels[n * MNIST_PIXELS + p] = (packed[p / 8] >> (7 - p % 8)) & 1u ? 1.0f : 0.0f;
        }
        if (out_targets != NULL) {
            for (p = 0; p < MNIST_CLASSES; p++) {
                out_targets[n * MNIST_CLASSES + p] = p == set->labels[index + (uint32_t)n] ? 1.0f : 0.0f;
            }
        }
    }
}

/* Index of the largest of `count` values. */
static int argmax(const float *values, int count)
{
    int best = 0;
    int i;
    for (i = 1; i < count; i++) {
        if (values[i] > values[best]) best = i;
    }
    return best;
}

/* Trains on every whole batch of the training set, in order, printing the mean loss of the
   last REPORT_EVERY steps as it goes. */
static void train_epoch(int epoch)
{
    uint32_t steps = mnist_train.count / MNIST_MLP_BATCH;
    uint32_t step;
    float total = 0.0f;
    int counted = 0;
    for (step = 0; step < steps; step++) {
        unpack(&mnist_train, step * MNIST_MLP_BATCH, MNIST_MLP_BATCH, pixels, targets);
        total += mnist_mlp_train_step(pixels, targets);
        counted++;
        if ((step + 1) % REPORT_EVERY == 0 || step + 1 == steps) {
            printf("epoch %d  step %5lu  loss %.4f\n", epoch, (unsigned long)(step + 1), (double)(total / (float)counted));
            total = 0.0f;
            counted = 0;
        }
    }
}

/* Fraction of the held-out digits (whole batches) whose predicted class is their label. */
static float held_out_accuracy(void)
{
    uint32_t steps = mnist_held_out.count / MNIST_MLP_BATCH;
    uint32_t step;
    uint32_t correct = 0;
    int n;
    for (step = 0; step < steps; step++) {
        unpack(&mnist_held_out, step * MNIST_MLP_BATCH, MNIST_MLP_BATCH, pixels, NULL);
        mnist_mlp_predict(pixels, scores);
        for (n = 0; n < MNIST_MLP_BATCH; n++) {
            if (argmax(&scores[n * MNIST_CLASSES], MNIST_CLASSES) == mnist_held_out.labels[step * MNIST_MLP_BATCH + (uint32_t)n]) correct++;
        }
    }
    return steps == 0 ? 0.0f : (float)correct / (float)(steps * MNIST_MLP_BATCH);
}

int main(void)
{
    int epoch;
    float accuracy;

    if (mnist_train.count == 0 || mnist_held_out.count == 0) {
        /* Built without AUTODIFF_MNIST_DIR: nothing to learn from, which is not a failure. */
        printf("MNIST sample skipped: built without digits (set AUTODIFF_MNIST_DIR and rebuild)\n");
        return 0;
    }

    printf("MNIST: %lu training digits (from #%lu), %lu held out (from #%lu), batch %d, arena %lu bytes\n",
           (unsigned long)mnist_train.count, (unsigned long)mnist_train.first,
           (unsigned long)mnist_held_out.count, (unsigned long)mnist_held_out.first,
           MNIST_MLP_BATCH, (unsigned long)MNIST_MLP_ARENA_BYTES);
    mnist_mlp_init();
    for (epoch = 1; epoch <= EPOCHS; epoch++) train_epoch(epoch);

    accuracy = held_out_accuracy();
    printf("accuracy: %.1f%% on %lu held-out digits (need %.0f%%)\n", (double)(100.0f * accuracy),
           (unsigned long)mnist_held_out.count, (double)(100.0f * REQUIRED_ACCURACY));
    return accuracy >= REQUIRED_ACCURACY ? 0 : 1;
}
