/* SPDX-License-Identifier: MIT */
/* The gesture generator: see gestures.h. */
#include "gestures.h"

#include <math.h>

#define PI_F 3.14159265f

/* Uniform in [0, 1), from a 32-bit linear congruential stream. */
static float uniform(uint32_t *seed)
{
    *seed = *seed * 1664525u + 1013904223u;
    return (float)(*seed >> 8) * (1.0f / 16777216.0f);
}

/* Roughly normal (sum of four uniforms), mean 0, standard deviation 1. */
static float normal(uint32_t *seed)
{
    return (uniform(seed) + uniform(seed) + uniform(seed) + uniform(seed) - 2.0f) * 1.7320508f;
}

const char *gesture_name(int gesture_class)
{
    static const char *const names[GESTURE_CLASSES] = {
        "swipe x", "swipe y", "swipe z", "shake x", "shake y", "shake z",
        "double tap x", "double tap y", "double tap z", "circle around x", "circle around y", "circle around z",
    };
    return gesture_class >= 0 && gesture_class < GESTURE_CLASSES ? names[gesture_class] : "?";
}

void gesture_window(int gesture_class, uint32_t *seed, float *window)
{
    /* Timing, size and wrist tilt vary per sample; gravity (1 g) points along the tilted z axis. */
    float length = 26.0f + 22.0f * uniform(seed);
    float start = uniform(seed) * ((float)GESTURE_STEPS - length);
    float size = 0.6f + 0.8f * uniform(seed);
    float tilt_x = 0.35f * normal(seed), tilt_y = 0.35f * normal(seed);
    int movement = gesture_class / GESTURE_AXES, axis = gesture_class % GESTURE_AXES;
    float gravity[GESTURE_AXES];
    int t, a;

    gravity[0] = sinf(tilt_x);
    gravity[1] = sinf(tilt_y) * cosf(tilt_x);
    gravity[2] = cosf(tilt_y) * cosf(tilt_x);
    for (t = 0; t < GESTURE_STEPS; t++) {
        float p = ((float)t - start) / length; /* the movement's phase, 0..1 while it lasts */
        float m[GESTURE_AXES] = { 0.0f, 0.0f, 0.0f };
        if (p >= 0.0f && p < 1.0f) {
            switch (movement) {
            case GESTURE_SWIPE: /* push, then stop */
                m[axis] = sinf(2.0f * PI_F * p);
                break;
            case GESTURE_SHAKE:
                m[axis] = sinf(8.0f * PI_F * p) * sinf(PI_F * p);
                break;
            case GESTURE_TAP:
                m[axis] = expf(-60.0f * (p - 0.25f) * (p - 0.25f)) + expf(-60.0f * (p - 0.7f) * (p - 0.7f));
                break;
            default: /* a circle in the plane of the two other axes */
                m[(axis + 1) % GESTURE_AXES] = sinf(2.0f * PI_F * p);
                m[(axis + 2) % GESTURE_AXES] = 1.0f - cosf(2.0f * PI_F * p);
                break;
            }
        }
        for (a = 0; a < GESTURE_AXES; a++)
            window[t * GESTURE_AXES + a] = gravity[a] + size * m[a] + 0.12f * normal(seed);
    }
}
