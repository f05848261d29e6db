/* SPDX-License-Identifier: MIT */
/* The two stages of transfer learning see different classes of one data set: pretraining (on the
   build machine) the old ones, the device the new ones, each as labels 0..class_count-1 of the
   model's TRANSFER_CLASSES outputs (a stage may use fewer than all of them). One
   implementation per data set is compiled in: gesture_data.c (synthetic accelerometer gestures,
   the default) or mnist_data_stages.c (MNIST digits, -p:TransferData=mnist). */
#ifndef TRANSFER_DATA_H
#define TRANSFER_DATA_H

#include <stdint.h>

#include "transfer.h"

#define TRANSFER_CLASSES TRANSFER_TARGET_SIZE

typedef enum { STAGE_PRETRAIN = 0, STAGE_DEVICE = 1 } transfer_stage_t;

typedef struct {
    const char *data_name;  /* "gestures" or "mnist": the pretrained folder is obj/pretrained/<data_name> */
    const char *classes;    /* what this stage learns, for messages */
    int class_count;        /* labels 0..class_count-1, at most TRANSFER_CLASSES */
    uint32_t train_slots;   /* training sample indices 0..train_slots-1 (some may belong to the other stage) */
    uint32_t test_slots;    /* held-out sample indices, likewise */
    int epochs;             /* passes over the training samples */
    float required_accuracy;/* main() fails below this held-out accuracy */
    uint32_t input_shape[3];/* the model input's per-sample shape (H, W, C), for calibration.npy */
} transfer_stage_info_t;

/* What `stage` trains on; returns 0 when the data is missing (MNIST sample built without digits). */
int transfer_stage_info(transfer_stage_t stage, transfer_stage_info_t *info);

/* Training sample `index` of `stage`: fills x (TRANSFER_INPUT_SIZE floats) and the one-hot y
   (TRANSFER_CLASSES floats) and returns 1, or returns 0 when that index holds a class of the
   other stage. */
int transfer_train_sample(transfer_stage_t stage, uint32_t index, float *x, float *y);

/* Held-out sample `index` of `stage`: fills x and *label and returns 1, or returns 0 as above. */
int transfer_test_sample(transfer_stage_t stage, uint32_t index, float *x, int *label);

#endif
