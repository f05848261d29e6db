/* Trains the generated `classifier` model on points it makes itself, then checks it on points it
   never saw. main() returns 0 only when it learned, so `dotnet build -t:Run` fails when it did not. */
#include <stdint.h>
#include <stdio.h>

#include "classifier.h" /* generated from models/classifier.yaml */

#define BATCH 8   /* batch: in the model */
#define FEATURES 2
#define CLASSES 2
#define STEPS 3000
#define TEST_POINTS 400

static uint32_t rng_state = 12345u;

/* A uniform number in [-1, 1) from a small linear congruential generator: no libc state needed. */
static float uniform(void)
{
    rng_state = rng_state * 1664525u + 1013904223u;
    return (float)(rng_state >> 8) / 8388608.0f - 1.0f;
}

/* A point away from the axes and its class: 1 when both coordinates have the same sign. */
static int point(float *x)
{
    do {
        x[0] = uniform();
        x[1] = uniform();
    } while (x[0] * x[0] < 0.01f || x[1] * x[1] < 0.01f);
    return x[0] * x[1] > 0.0f;
}

int main(void)
{
    static float x[BATCH * FEATURES];
    static float y[BATCH * CLASSES];
    static float scores[BATCH * CLASSES];
    int step, n, correct = 0, total = 0;

    classifier_init();
    for (step = 1; step <= STEPS; step++) {
        float loss;
        for (n = 0; n < BATCH; n++) {
            int label = point(&x[n * FEATURES]);
            y[n * CLASSES] = label ? 0.0f : 1.0f;
            y[n * CLASSES + 1] = label ? 1.0f : 0.0f;
        }
        loss = classifier_train_step(x, y);
        if (step % 500 == 0) printf("step %4d  loss %.4f\n", step, (double)loss);
    }

    while (total < TEST_POINTS) {
        int labels[BATCH];
        for (n = 0; n < BATCH; n++) labels[n] = point(&x[n * FEATURES]);
        classifier_predict(x, scores);
        for (n = 0; n < BATCH; n++, total++)
            correct += (scores[n * CLASSES + 1] > scores[n * CLASSES]) == labels[n];
    }
    printf("held-out accuracy %.1f%% (need 90%%)\n", 100.0 * correct / total);
    return correct * 10 >= total * 9 ? 0 : 1;
}
