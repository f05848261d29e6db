/* SPDX-License-Identifier: MIT */
#include "moons_data.h"

#include <math.h>

#define MOONS_PI 3.14159265f

/* xorshift32: tiny and deterministic, so host and firmware see identical data. */
static uint32_t next_random(uint32_t *state)
{
    uint32_t x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *state = x;
    return x;
}

/* Uniform in [0, 1). */
static float uniform(uint32_t *state)
{
    return (float)(next_random(state) >> 8) / 16777216.0f;
}

void moons_generate(float *points, float *labels, int count, float noise, uint32_t seed)
{
    uint32_t state = seed != 0 ? seed : 1u;
    int i;
    for (i = 0; i < count; i++) {
        int upper = (i % 2) == 0;
        float t = MOONS_PI * uniform(&state);
        float px = upper ? cosf(t) : 1.0f - cosf(t);
        float py = upper ? sinf(t) : 0.5f - sinf(t);
        px += noise * (2.0f * uniform(&state) - 1.0f);
        py += noise * (2.0f * uniform(&state) - 1.0f);
        /* centre the data around the origin, where tanh units start out most sensitive */
        points[2 * i] = px - 0.5f;
        points[2 * i + 1] = py - 0.25f;
        labels[2 * i] = upper ? 1.0f : 0.0f;
        labels[2 * i + 1] = upper ? 0.0f : 1.0f;
    }
}
