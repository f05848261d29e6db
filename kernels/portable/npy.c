/* SPDX-License-Identifier: MIT */
/* ad_write_npy: see autodiff_npy.h. Portable C99 with stdio, but compiled only for the host board
   (the engine lists it there), since Arm firmware has no files. */
#include "autodiff_npy.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define AD_NPY_MAX_RANK 8u
/* numpy pads the header so the data starts at a multiple of 64 bytes; readers rely on 16 at least. */
#define AD_NPY_ALIGN 64u

/* The header dict, e.g. {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }; a rank-1
   shape needs its trailing comma to be a tuple: (3,). Returns its length, or 0 when it does not fit. */
static size_t npy_dict(char *out, size_t size, const uint32_t *shape, uint32_t rank)
{
    size_t used = 0;
    uint32_t i;
    int n = snprintf(out, size, "{'descr': '<f4', 'fortran_order': False, 'shape': (");
    if (n < 0 || (size_t)n >= size) return 0;
    used = (size_t)n;
    for (i = 0; i < rank; i++) {
        n = snprintf(out + used, size - used, i + 1 < rank ? "%lu, " : (rank == 1 ? "%lu," : "%lu"), (unsigned long)shape[i]);
        if (n < 0 || (size_t)n >= size - used) return 0;
        used += (size_t)n;
    }
    n = snprintf(out + used, size - used, "), }");
    if (n < 0 || (size_t)n >= size - used) return 0;
    return used + (size_t)n;
}

int ad_write_npy(const char *path, const float *data, const uint32_t *shape, uint32_t rank)
{
    char header[AD_NPY_ALIGN * 4];
    char temporary[4096];
    unsigned char prefix[10] = { 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 0, 0 };
    size_t length, padded, count = 1, i;
    FILE *file;
    int ok;

    if (rank > AD_NPY_MAX_RANK || path == NULL || (data == NULL && rank > 0)) {
        errno = EINVAL;
        return -1;
    }
    for (i = 0; i < rank; i++) count *= shape[i];
    length = npy_dict(header, sizeof header, shape, rank);
    if (length == 0) {
        errno = EINVAL;
        return -1;
    }
    /* Spaces, then a newline, up to the alignment: 10 bytes of prefix, then the dict. */
    padded = (10u + length + 1u + AD_NPY_ALIGN - 1u) / AD_NPY_ALIGN * AD_NPY_ALIGN - 10u;
    if (padded > sizeof header) {
        errno = EINVAL;
        return -1;
    }
    memset(header + length, ' ', padded - length);
    header[padded - 1u] = '\n';
    prefix[8] = (unsigned char)(padded & 0xffu);
    prefix[9] = (unsigned char)(padded >> 8);

    if (snprintf(temporary, sizeof temporary, "%s.tmp", path) >= (int)sizeof temporary) {
        errno = ENAMETOOLONG;
        return -1;
    }
    file = fopen(temporary, "wb");
    if (file == NULL) return -1;
    ok = fwrite(prefix, 1, sizeof prefix, file) == sizeof prefix && fwrite(header, 1, padded, file) == padded;
    /* Little-endian bytes whatever the host's order. */
    for (i = 0; ok && i < count; i++) {
        uint32_t bits;
        unsigned char bytes[4];
        memcpy(&bits, &data[i], sizeof bits);
        bytes[0] = (unsigned char)(bits & 0xffu);
        bytes[1] = (unsigned char)((bits >> 8) & 0xffu);
        bytes[2] = (unsigned char)((bits >> 16) & 0xffu);
        bytes[3] = (unsigned char)(bits >> 24);
        ok = fwrite(bytes, 1, sizeof bytes, file) == sizeof bytes;
    }
    ok = fclose(file) == 0 && ok;
    if (!ok || rename(temporary, path) != 0) {
        int saved = errno;
        remove(temporary);
        errno = saved;
        return -1;
    }
    return 0;
}
