/* SPDX-License-Identifier: MIT */
/* The digit sets of mnist_data.h over the arrays the SDK puts into flash from the AutodiffData
   items of MnistData.targets (headers generated beside them). Built without the MNIST folder, there
   are no items and the sets are empty. */
#include "mnist_data.h"

#ifdef MNIST_HAVE_DIGITS
#include "mnist_held_out_images.h"
#include "mnist_held_out_labels.h"
#include "mnist_train_images.h"
#include "mnist_train_labels.h"

/* The generated sizes must be the ones main.c unpacks: 28x28 pixels, 1 bit each, one label per image. */
typedef char mnist_image_size_check[MNIST_TRAIN_IMAGES_SAMPLE_BYTES == MNIST_IMAGE_BYTES &&
                                    MNIST_HELD_OUT_IMAGES_SAMPLE_BYTES == MNIST_IMAGE_BYTES ? 1 : -1];
typedef char mnist_label_count_check[MNIST_TRAIN_LABELS_COUNT == MNIST_TRAIN_IMAGES_COUNT &&
                                     MNIST_HELD_OUT_LABELS_COUNT == MNIST_HELD_OUT_IMAGES_COUNT ? 1 : -1];

const mnist_set_t mnist_train = { mnist_train_images, mnist_train_labels, MNIST_TRAIN_IMAGES_COUNT, MNIST_TRAIN_IMAGES_FIRST };
const mnist_set_t mnist_held_out = { mnist_held_out_images, mnist_held_out_labels, MNIST_HELD_OUT_IMAGES_COUNT,
                                     MNIST_HELD_OUT_IMAGES_FIRST };
#else
const mnist_set_t mnist_train = { 0, 0, 0, 0 };
const mnist_set_t mnist_held_out = { 0, 0, 0, 0 };
#endif
