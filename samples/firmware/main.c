/* SPDX-License-Identifier: MIT */
/* Trains the generated `moons` model on the device and exits with 0 only when it classifies
   held-out points well enough, so `dotnet build -t:Run` fails when training does not work. */
#include <stdio.h>

#include "moons.h"
#include "moons_data.h"

#define TRAIN_COUNT 256
#define TEST_COUNT 128
#define EPOCHS 60
#define NOISE 0.1f
#define REQUIRED_ACCURACY 0.90f

#if TRAIN_COUNT % MOONS_BATCH != 0
#error "the training set must be a multiple of the model's batch size"
#endif

static float train_points[TRAIN_COUNT * MOONS_INPUT_SIZE];
static float train_labels[TRAIN_COUNT * MOONS_TARGET_SIZE];
static float test_points[TEST_COUNT * MOONS_INPUT_SIZE];
static float test_labels[TEST_COUNT * MOONS_TARGET_SIZE];

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

/* One pass over the training set in batches; returns the mean batch loss. */
static float train_epoch(void)
{
    float total = 0.0f;
    int start;
    for (start = 0; start < TRAIN_COUNT; start += MOONS_BATCH) {
        total += moons_train_step(&train_points[start * MOONS_INPUT_SIZE], &train_labels[start * MOONS_TARGET_SIZE]);
    }
    return total / (float)(TRAIN_COUNT / MOONS_BATCH);
}

/* Fraction of held-out points whose predicted class matches their label, one point at a time as a
   firmware classifies each new reading (moons_predict would take a whole batch). */
static float test_accuracy(void)
{
    float out[MOONS_OUTPUT_SIZE];
    int correct = 0;
    int i;
    for (i = 0; i < TEST_COUNT; i++) {
        moons_predict_one(&test_points[i * MOONS_INPUT_SIZE], out);
        if (argmax(out, MOONS_OUTPUT_SIZE) == argmax(&test_labels[i * MOONS_TARGET_SIZE], MOONS_TARGET_SIZE)) correct++;
    }
    return (float)correct / (float)TEST_COUNT;
}

int main(void)
{
    int epoch;
    float accuracy;

    moons_generate(train_points, train_labels, TRAIN_COUNT, NOISE, 12345u);
    moons_generate(test_points, test_labels, TEST_COUNT, NOISE, 67890u);
    moons_init();

    printf("two moons: %d training and %d test points, batch %d, arena %u bytes\n",
           TRAIN_COUNT, TEST_COUNT, MOONS_BATCH, (unsigned)MOONS_ARENA_BYTES);
    for (epoch = 1; epoch <= EPOCHS; epoch++) {
        float loss = train_epoch();
        if (epoch == 1 || epoch % 10 == 0) printf("epoch %3d  loss %.4f\n", epoch, (double)loss);
    }

    accuracy = test_accuracy();
    printf("held-out accuracy %.1f%% (need %.0f%%)\n", (double)(100.0f * accuracy), (double)(100.0f * REQUIRED_ACCURACY));
    return accuracy >= REQUIRED_ACCURACY ? 0 : 1;
}
