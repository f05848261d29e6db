/* SPDX-License-Identifier: MIT */
/* MNIST digits kept in flash. The build puts them there from the MNIST test set named by
   AUTODIFF_MNIST_DIR, as AutodiffData items (MnistData.targets, mnist_data.c); without it the sets
   are empty. */
#ifndef MNIST_DATA_H
#define MNIST_DATA_H

#include <stdint.h>

#define MNIST_SIDE 28
#define MNIST_PIXELS (MNIST_SIDE * MNIST_SIDE)
/* One bit per pixel, row by row, most significant bit first: a pixel is set when its grey level
   is 128 or more. The thresholded digits are 1/32 of the float size, which is what lets 7,000
   of them fit in 1 MiB of flash. */
#define MNIST_IMAGE_BYTES (MNIST_PIXELS / 8)
#define MNIST_CLASSES 10

typedef struct {
    const uint8_t *images; /* count x MNIST_IMAGE_BYTES */
    const uint8_t *labels; /* count digits 0..9 */
    uint32_t count;        /* 0 when the build had no MNIST folder */
    uint32_t first;        /* index of the first digit in the MNIST test set */
} mnist_set_t;

extern const mnist_set_t mnist_train;
extern const mnist_set_t mnist_held_out;

#endif
