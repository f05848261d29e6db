/* SPDX-License-Identifier: MIT */
/* The gesture data set of the transfer sample (transfer_data.h). Pretraining learns 8 gestures;
   the device learns 4 new ones (swipe z, shake x, double tap y, circle around y), each a movement
   the pretraining saw only on other axes. Every sample is generated from its own seed, so any
   index is available at any time without storing the set, and host and device see the same
   windows. */
#include "gestures.h"
#include "transfer_data.h"

#if TRANSFER_INPUT_SIZE != GESTURE_SIZE || TRANSFER_CLASSES != 8
#error "the gesture model takes a 64x1x3 window and has 8 class scores"
#endif

#define TRAIN_PER_CLASS 60u
#define TEST_PER_CLASS 100u

static const int pretrain_classes[8] = { 0, 1, 4, 5, 6, 8, 9, 11 };
static const int device_classes[4] = { 2, 3, 7, 10 };

/* Distinct seeds for every (stage, set, index): training and held-out windows never coincide. */
static uint32_t seed_of(transfer_stage_t stage, uint32_t set, uint32_t index)
{
    uint32_t h = 0x9e3779b9u * (index + 1u) ^ 0x85ebca6bu * ((uint32_t)stage + 1u) ^ 0xc2b2ae35u * (set + 1u);
    h ^= h >> 16;
    h *= 0x7feb352du;
    h ^= h >> 15;
    return h;
}

static int class_count(transfer_stage_t stage)
{
    return stage == STAGE_PRETRAIN ? 8 : 4;
}

int transfer_stage_info(transfer_stage_t stage, transfer_stage_info_t *info)
{
    info->data_name = "gestures";
    info->classes = stage == STAGE_PRETRAIN
        ? "8 gestures (swipe x/y, shake y/z, double tap x/z, circle around x/z)"
        : "4 new gestures (swipe z, shake x, double tap y, circle around y)";
    info->class_count = class_count(stage);
    info->train_slots = (uint32_t)info->class_count * (stage == STAGE_PRETRAIN ? 2u * TRAIN_PER_CLASS : TRAIN_PER_CLASS);
    info->test_slots = (uint32_t)info->class_count * TEST_PER_CLASS;
    info->epochs = stage == STAGE_PRETRAIN ? 6 : 8;
    info->required_accuracy = 0.90f;
    info->input_shape[0] = GESTURE_STEPS;
    info->input_shape[1] = 1u;
    info->input_shape[2] = GESTURE_AXES;
    return 1;
}

/* Sample `index` of a stage: label index mod the stage's classes, its gesture from the table. */
static int sample(transfer_stage_t stage, uint32_t set, uint32_t index, float *x)
{
    int label = (int)(index % (uint32_t)class_count(stage));
    uint32_t seed = seed_of(stage, set, index);
    gesture_window(stage == STAGE_PRETRAIN ? pretrain_classes[label] : device_classes[label], &seed, x);
    return label;
}

int transfer_train_sample(transfer_stage_t stage, uint32_t index, float *x, float *y)
{
    int label = sample(stage, 0u, index, x), k;
    for (k = 0; k < TRANSFER_CLASSES; k++) y[k] = k == label ? 1.0f : 0.0f;
    return 1;
}

int transfer_test_sample(transfer_stage_t stage, uint32_t index, float *x, int *label)
{
    *label = sample(stage, 1u, index, x);
    return 1;
}
