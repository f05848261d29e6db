/* SPDX-License-Identifier: MIT */
/*
 * activations.c - portable element-wise functions the generated code calls instead of writing
 * the loop (see autodiff_kernels.h): the C of internal/activations_common.h, the same expressions
 * as the inline loops of the other functions.
 */
#include "autodiff_kernels.h"

#include "internal/activations_common.h"
