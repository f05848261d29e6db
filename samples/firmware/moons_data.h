/* SPDX-License-Identifier: MIT */
/* Two interleaving half-moons, generated on the device so the sample needs no data files. */
#ifndef MOONS_DATA_H
#define MOONS_DATA_H

#include <stdint.h>

/* Fills `points` (count x 2 floats) and `labels` (count x 2 one-hot floats) with samples from
   both moons, alternating classes, with uniform noise of +-`noise`. The same `seed` always gives
   the same data on every board. */
void moons_generate(float *points, float *labels, int count, float noise, uint32_t seed);

#endif
