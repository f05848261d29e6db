/* SPDX-License-Identifier: MIT */
/* The pretraining stage of the transfer sample, on the build machine (Board=host,
   AutodiffTrainAll=true): the device's model file with every layer trainable and float32 learns
   the old classes, then writes what the device build reads:
     ../obj/pretrained/<data>/<layer>.weight.npy, <layer>.bias.npy   (transfer_save_parameters)
     ../obj/pretrained/<data>/calibration.npy                        (training inputs, for int8 ranges)
   The path is relative to this project's folder, where -t:Run starts the program; the build
   creates the folder first. */
#include <stdio.h>

#include "autodiff_npy.h"
#include "transfer.h"
#include "transfer_data.h"

/* Calibration samples: enough inputs to see the ranges the backbone's tensors take. */
#define CALIBRATION_SAMPLES 256u

static float x[TRANSFER_INPUT_SIZE];
static float y[TRANSFER_CLASSES];
static float scores[TRANSFER_OUTPUT_SIZE];
static float calibration[CALIBRATION_SAMPLES * TRANSFER_INPUT_SIZE];

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
    char folder[256], path[320];
    uint32_t i, correct = 0, tested = 0, calibrated = 0, shape[4];
    int epoch, label;

    if (!transfer_stage_info(STAGE_PRETRAIN, &info)) {
        /* The device build runs pretraining only when the data is there, so this is an error. */
        printf("pretraining: built without its data (set AUTODIFF_MNIST_DIR and rebuild)\n");
        return 1;
    }
    snprintf(folder, sizeof folder, "../obj/pretrained/%s", info.data_name);
    printf("pretraining (%s) on the host: %s\n", info.data_name, info.classes);
    transfer_init();
    for (epoch = 1; epoch <= info.epochs; epoch++) {
        float total = 0.0f;
        uint32_t steps = 0;
        for (i = 0; i < info.train_slots; i++) {
            if (!transfer_train_sample(STAGE_PRETRAIN, i, x, y)) continue;
            total += transfer_train_step(x, y);
            steps++;
        }
        printf("epoch %d  %lu steps  loss %.4f\n", epoch, (unsigned long)steps, (double)(total / (float)(steps ? steps : 1)));
    }
    for (i = 0; i < info.test_slots; i++) {
        if (!transfer_test_sample(STAGE_PRETRAIN, i, x, &label)) continue;
        transfer_predict(x, scores);
        correct += argmax(scores, info.class_count) == label;
        tested++;
    }
    printf("pretrained accuracy: %.1f%% (%lu of %lu held-out)\n", (double)(100.0f * (float)correct / (float)(tested ? tested : 1)),
           (unsigned long)correct, (unsigned long)tested);

    /* The calibration samples are training inputs of this stage: the device's new classes are
       not known yet, and calibration needs no labels. */
    for (i = 0; i < info.train_slots && calibrated < CALIBRATION_SAMPLES; i++)
        if (transfer_train_sample(STAGE_PRETRAIN, i, &calibration[calibrated * TRANSFER_INPUT_SIZE], y)) calibrated++;
    shape[0] = calibrated;
    for (i = 0; i < 3u; i++) shape[i + 1u] = info.input_shape[i];
    snprintf(path, sizeof path, "%s/calibration.npy", folder);
    if (transfer_save_parameters(folder) != 0 || ad_write_npy(path, calibration, shape, 4u) != 0) {
        perror(folder);
        return 1;
    }
    printf("wrote %lu parameters and %lu calibration samples to %s\n", (unsigned long)transfer_param_count, (unsigned long)calibrated, folder);
    return 0;
}
