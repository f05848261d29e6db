/* SPDX-License-Identifier: MIT */
/* The MNIST data set of the transfer sample (transfer_data.h), -p:TransferData=mnist: the digits
   the build puts in flash (../mnist/MnistData.targets: 6,000 for training, 1,000 held out).
   Pretraining learns digits 0-4; the device learns 5-9, as labels 0-4. A sample index is a digit
   of the set, and belongs to the stage whose digits it shows. */
#include "mnist_data.h"
#include "transfer_data.h"

#if TRANSFER_INPUT_SIZE != MNIST_PIXELS || TRANSFER_CLASSES != 5
#error "the MNIST transfer model takes 28x28x1 pixels and has 5 class scores"
#endif

int transfer_stage_info(transfer_stage_t stage, transfer_stage_info_t *info)
{
    info->data_name = "mnist";
    info->classes = stage == STAGE_PRETRAIN ? "digits 0-4" : "digits 5-9";
    info->class_count = 5;
    info->train_slots = mnist_train.count;
    info->test_slots = mnist_held_out.count;
    info->epochs = stage == STAGE_PRETRAIN ? 2 : 1;
    info->required_accuracy = 0.90f;
    info->input_shape[0] = MNIST_SIDE;
    info->input_shape[1] = MNIST_SIDE;
    info->input_shape[2] = 1u;
    return mnist_train.count > 0 && mnist_held_out.count > 0;
}

/* Unpacks digit `index` of `set` when it belongs to `stage`; returns its label 0-4, or -1. */
static int digit(const mnist_set_t *set, transfer_stage_t stage, uint32_t index, float *x)
{
    int d = set->labels[index] - (stage == STAGE_PRETRAIN ? 0 : 5), p;
    const uint8_t *packed = &set->images[index * MNIST_IMAGE_BYTES];
    if (d < 0 || d >= 5) return -1;
    for (p = 0; p < MNIST_PIXELS; p++) x[p] = (packed[p / 8] >> (7 - p % 8)) & 1u ? 1.0f : 0.0f;
    return d;
}

int transfer_train_sample(transfer_stage_t stage, uint32_t index, float *x, float *y)
{
    int label = digit(&mnist_train, stage, index, x), k;
    if (label < 0) return 0;
    for (k = 0; k < TRANSFER_CLASSES; k++) y[k] = k == label ? 1.0f : 0.0f;
    return 1;
}

int transfer_test_sample(transfer_stage_t stage, uint32_t index, float *x, int *label)
{
    *label = digit(&mnist_held_out, stage, index, x);
    return *label >= 0;
}
