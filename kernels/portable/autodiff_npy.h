/* SPDX-License-Identifier: MIT */
/* Writing float arrays as NumPy .npy files, on the host only (Board=host): the files a model's
   weights: folder and calibration: samples are read from. A pretraining program on the build
   machine calls NAME_save_parameters(folder) (generated for every model on the host board), which
   writes each trainable parameter with ad_write_npy, and ad_write_npy itself for anything else,
   such as the calibration samples. Arm firmware has no files and never includes this header. */
#ifndef AUTODIFF_NPY_H
#define AUTODIFF_NPY_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Writes count = shape[0] * ... * shape[rank - 1] floats from data (C order) to path as a
   version 1.0 .npy file of little-endian float32 ('<f4', fortran_order False), the layout the
   engine's loader reads. rank may be 0 (a scalar) up to 8. The file is written to path + ".tmp"
   and renamed, so a reader never sees half a file. Returns 0 on success, -1 when the file cannot
   be written (errno says why) or rank is out of range. */
int ad_write_npy(const char *path, const float *data, const uint32_t *shape, uint32_t rank);

#ifdef __cplusplus
}
#endif

#endif /* AUTODIFF_NPY_H */
