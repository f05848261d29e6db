/* SPDX-License-Identifier: MIT */
/*
 * arm_mve.h - the compiler's <arm_mve.h>, with a fix GCC 12 needs to compile CMSIS-NN's Helium code.
 *
 * GCC 12 (Debian 12's arm-none-eabi-gcc) resolves polymorphic intrinsics called with a scalar
 * whose type is not exactly the one its tables list, such as vaddq(uint32x4_t, uint32_t), to the
 * undefined symbol __ARM_undef: its coercion macro matches the scalar's type exactly. CMSIS-NN's
 * float kernels make such calls, so their firmware fails to link. GCC 13 converts the scalar
 * instead. The build puts this folder first on the include path of firmware that compiles
 * CMSIS-NN, so `#include <arm_mve.h>` reads this header, which includes the compiler's and, with
 * GCC before 13, lets the coercion take an integer scalar of the same size as the expected type,
 * with its bits unchanged (what the conversion does for 32-bit integers). Every other mismatch
 * still ends in __ARM_undef, as before: code that linked compiles exactly as before.
 */
#include_next <arm_mve.h>

#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ < 13 && defined(__ARM_mve_coerce)
#undef __ARM_mve_coerce
/* An integer scalar of the expected integer type's size keeps its bits (a union, so rvalues work
 * too); the condition is a constant, so only one arm is ever compiled into the program. */
#define __ARM_AD_INTEGER_BITS(param, type) \
    (sizeof(param) == sizeof(type) && __builtin_classify_type(param) == 1 && __builtin_classify_type((type){0}) == 1 \
         ? ((union { __typeof__(param) __from; type __to; }){ .__from = (param) }).__to \
         : *(type *)__ARM_undef)
#define __ARM_mve_coerce(param, type) \
    _Generic(param, type: param, const type: param, default: __ARM_AD_INTEGER_BITS(param, type))
#endif
