/* SPDX-License-Identifier: MIT */
/* Synthetic 3-axis accelerometer gestures, made the same way on the build machine and on the
   device: a window of GESTURE_STEPS readings (x, y, z in g) holding one movement with random
   timing, size, speed, wrist tilt and sensor noise. The 12 gestures are four movements (a swipe,
   a shake, a double tap, a circle) along or around each of the three axes; the host pretrains the
   backbone on 8 of them and the device learns the other 4, one of each movement on an axis the
   pretraining never saw it on. */
#ifndef GESTURES_H
#define GESTURES_H

#include <stdint.h>

#define GESTURE_STEPS 64
#define GESTURE_AXES 3
#define GESTURE_SIZE (GESTURE_STEPS * GESTURE_AXES)
#define GESTURE_CLASSES 12

/* The gesture of class c (0..11) is movement c / 3 along (or around) axis c % 3. */
enum { GESTURE_SWIPE, GESTURE_SHAKE, GESTURE_TAP, GESTURE_CIRCLE };

/* Fills window[GESTURE_SIZE] (time-major: step t holds x, y, z at 3t, 3t+1, 3t+2) with gesture
   `gesture_class` drawn from the pseudo-random stream *seed, which it advances; the same seed
   always gives the same window. */
void gesture_window(int gesture_class, uint32_t *seed, float *window);

/* Its name, e.g. "swipe x", for messages. */
const char *gesture_name(int gesture_class);

#endif
