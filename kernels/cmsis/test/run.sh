#!/usr/bin/env bash
# Tests the CMSIS kernel families (kernels/cmsis/<family>.c) in QEMU, and optionally counts the
# instructions of the conv family against the portable kernels.
#
# 1. For every kernels/cmsis/test/test_<family>.c (or only the FAMILY arguments), builds a
#    bare-metal firmware from test_<family>.c + kernels/cmsis/<family>.c + the CMSIS sources its
#    kernels/cmsis/<family>.cmsis lists (lines "nn:PATH", "dsp:PATH", "define:NAME[=V]", "calls:" and "#"
#    comments) with the SDK's board files (startup, syscalls, semihosting, linker script), for
#    each optimisation level in $CMSIS_TEST_OPT_LEVELS (default "-O2 -Os -O0"), and runs it:
#      cortex-m55  -mcpu=cortex-m55 (Helium), QEMU mps3-an547: the MVE code;
#      stm32f4     -mcpu=cortex-m4 (FPv4, no MVE), QEMU netduinoplus2: the fallback C.
#    Each test firmware checks the kernels against reference loops of its own, prints one line
#    per failing case and "passed N cases" last, and returns non-zero (QEMU's exit status,
#    through semihosting) on a failure. The first failure stops the script.
# 2. With --bench, counts the instructions (bench/qemu-insn-count/count.sh) of conv_momentum's
#    conv calls on cortex-m55 -O2 (test_conv.c built with -DAD_CONV_BENCH=1|2|3): the two
#    forwards, the input gradient of conv2, all 36 + 288 weight-gradient elements, for
#    kernels/cmsis/conv.c and kernels/portable/conv.c.
# Prints "cmsis kernels: N cases passed" last and exits 0 on success, non-zero otherwise.
#
# CMSIS trees come from the environment, and are needed only when a family's .cmsis list names
# sources of them: CMSIS_NN_ROOT (a CMSIS-NN checkout), CMSIS_DSP_ROOT (a CMSIS-DSP checkout),
# CMSIS_CORE_ROOT (the CMSIS Core include folder, cmsis_compiler.h; when unset, looked for beside
# the DSP root as ../CMSIS_6/CMSIS/Core/Include, ../CMSIS_5/CMSIS/Core/Include,
# ../CMSIS/Core/Include).
#
# Usage: kernels/cmsis/test/run.sh [--bench] [--keep] [FAMILY...]
# Needs arm-none-eabi-gcc (with newlib), qemu-system-arm, and for --bench gcc (counting plugin).
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
boards="$root/sdk/Autodiff.Sdk/boards"
bench=0
keep=0
families=()
for arg in "$@"; do
    case "$arg" in
        --bench) bench=1 ;;
        --keep) keep=1 ;;
        -h|--help) sed -n '2,/^set -uo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        -*) echo "run.sh: unknown argument '$arg'" >&2; exit 2 ;;
        *) families+=("$arg") ;;
    esac
done
for tool in arm-none-eabi-gcc qemu-system-arm; do
    command -v "$tool" >/dev/null || { echo "run.sh: $tool not found" >&2; exit 2; }
done
if [[ ${#families[@]} -eq 0 ]]; then
    for t in "$here"/test_*.c; do
        [[ -e "$t" ]] || continue
        f="$(basename "$t" .c)"; families+=("${f#test_}")
    done
fi
[[ ${#families[@]} -gt 0 ]] || { echo "run.sh: no test_<family>.c in $here" >&2; exit 2; }

work="$(mktemp -d "${TMPDIR:-/tmp}/cmsis-kernels.XXXXXX")"
if [[ $keep -eq 1 ]]; then echo "run.sh: build files kept in $work" >&2; else trap 'rm -rf "$work"' EXIT; fi

warn=(-std=c99 -Wall -Wextra -Wpedantic -Werror)
common=(-mthumb -mfloat-abi=hard -ffunction-sections -fdata-sections -I "$boards/common"
        -I "$root/kernels/portable" -I "$root/kernels/cmsis")
link=(--specs=nano.specs -u _printf_float -nostartfiles -Wl,--gc-sections -L "$boards/common")
board_sources=("$boards/common/startup_cortexm.c" "$boards/common/syscalls.c" "$boards/common/console_semihosting.c" "$boards/common/semihosting.c")

# Target NAME -> compiler flags, linker script, QEMU machine.
target_flags() {
    case "$1" in
        cortex-m55) echo "-mcpu=cortex-m55 -mfpu=auto -DAUTODIFF_IRQ_COUNT=96" ;;
        stm32f4) echo "-mcpu=cortex-m4 -mfpu=fpv4-sp-d16 -DAUTODIFF_IRQ_COUNT=82" ;;
    esac
}
target_script() {
    case "$1" in
        cortex-m55) echo "$boards/cortex-m55/cortex_m55.ld" ;;
        stm32f4) echo "$boards/stm32f4/stm32f4.ld" ;;
    esac
}
target_machine() {
    case "$1" in
        cortex-m55) echo mps3-an547 ;;
        stm32f4) echo netduinoplus2 ;;
    esac
}

# read_list FAMILY: sets cmsis_sources (absolute paths), cmsis_includes and cmsis_defines from
# kernels/cmsis/FAMILY.cmsis; fails naming the environment variable a listed source needs.
core_root() {
    if [[ -n "${CMSIS_CORE_ROOT:-}" ]]; then echo "$CMSIS_CORE_ROOT"; return; fi
    [[ -n "${CMSIS_DSP_ROOT:-}" ]] || return 1
    local c
    for c in ../CMSIS_6/CMSIS/Core/Include ../CMSIS_5/CMSIS/Core/Include ../CMSIS/Core/Include; do
        [[ -f "$CMSIS_DSP_ROOT/$c/cmsis_compiler.h" ]] && { echo "$CMSIS_DSP_ROOT/$c"; return; }
    done
    return 1
}
read_list() {
    local family="$1" list="$root/kernels/cmsis/$1.cmsis" line kind value need_nn=0 need_dsp=0
    cmsis_sources=(); cmsis_includes=(); cmsis_defines=()
    [[ -f "$list" ]] || { echo "run.sh: $list not found (every cmsis family has a source list)" >&2; return 1; }
    while IFS= read -r line || [[ -n "$line" ]]; do
        line="${line%%#*}"
        line="$(sed 's/^[[:space:]]*//; s/[[:space:]]*$//' <<<"$line")"
        [[ -n "$line" ]] || continue
        kind="${line%%:*}"; value="${line#*:}"
        case "$kind" in
            nn)
                [[ -n "${CMSIS_NN_ROOT:-}" ]] || { echo "run.sh: $family needs CMSIS-NN ($value): set CMSIS_NN_ROOT to a CMSIS-NN checkout" >&2; return 1; }
                cmsis_sources+=("$CMSIS_NN_ROOT/$value"); need_nn=1 ;;
            dsp)
                [[ -n "${CMSIS_DSP_ROOT:-}" ]] || { echo "run.sh: $family needs CMSIS-DSP ($value): set CMSIS_DSP_ROOT to a CMSIS-DSP checkout" >&2; return 1; }
                cmsis_sources+=("$CMSIS_DSP_ROOT/$value"); need_dsp=1 ;;
            define) cmsis_defines+=("-D$value") ;;
            calls) ;;  # what a kernel runs, for the build report
            *) echo "run.sh: $list: unknown entry '$line'" >&2; return 1 ;;
        esac
    done <"$list"
    local s
    for s in "${cmsis_sources[@]}"; do
        [[ -f "$s" ]] || { echo "run.sh: $family needs $s, which does not exist" >&2; return 1; }
    done
    # kernels/cmsis/include/arm_mve.h first: GCC 12 cannot link CMSIS-NN's Helium code without it.
    [[ $need_nn -eq 1 ]] && cmsis_includes+=(-isystem "$root/kernels/cmsis/include" -isystem "$CMSIS_NN_ROOT/Include")
    [[ $need_dsp -eq 1 ]] && cmsis_includes+=(-isystem "$CMSIS_DSP_ROOT/Include" -isystem "$CMSIS_DSP_ROOT/PrivateInclude")
    if [[ $need_nn -eq 1 || $need_dsp -eq 1 ]]; then
        local core
        core="$(core_root)" || { echo "run.sh: $family needs the CMSIS Core headers: set CMSIS_CORE_ROOT to the CMSIS Core include folder (cmsis_compiler.h)" >&2; return 1; }
        cmsis_includes+=(-isystem "$core")
    fi
    return 0
}

# build OUT TARGET OPT KERNEL_FILE TEST_FILE [EXTRA FLAGS...]: one firmware, OUT.elf.
build() {
    local out="$1" target="$2" opt="$3" kernel="$4" test="$5"; shift 5
    local -a cpu; read -r -a cpu <<<"$(target_flags "$target")"
    local dir="$out.o"; mkdir -p "$dir"
    local -a flags=("${cpu[@]}" "${common[@]}" "$opt" "${cmsis_includes[@]}" "${cmsis_defines[@]}" "$@")
    (
        set -e
        cd "$dir"
        # the CMSIS sources are not ours: no -Werror for them
        [[ ${#cmsis_sources[@]} -eq 0 ]] || arm-none-eabi-gcc "${flags[@]}" -c "${cmsis_sources[@]}"
        arm-none-eabi-gcc "${flags[@]}" "${warn[@]}" -c "$test" "$kernel" "${board_sources[@]}"
        arm-none-eabi-gcc "${cpu[@]}" -mthumb -mfloat-abi=hard "$opt" ./*.o "${link[@]}" \
            -T "$(target_script "$target")" -lm -o "$out"
    ) >"$out.log" 2>&1 || { cat "$out.log" >&2; return 1; }
}

qemu() {
    timeout -k 10 600 qemu-system-arm -M "$2" -nographic \
        -semihosting-config enable=on,target=native -kernel "$1" </dev/null
}

# check LABEL ELF MACHINE: runs one test firmware and adds its passed cases to the total.
total=0
check() {
    local label="$1" elf="$2" output rc n
    output="$(qemu "$elf" "$3")"
    rc=$?
    printf '%s\n' "$output" | sed "s/^/[$label] /"
    if [[ $rc -ne 0 ]]; then
        echo "run.sh: test firmware ($label) failed with exit status $rc" >&2
        echo "cmsis kernels: FAILED ($label)"
        exit 1
    fi
    n="$(sed -n 's/^passed \([0-9]*\) cases$/\1/p' <<<"$output")"
    if [[ -z "$n" ]]; then
        echo "run.sh: no result from the test firmware ($label)" >&2
        echo "cmsis kernels: FAILED ($label)"
        exit 1
    fi
    total=$((total + n))
}

for family in "${families[@]}"; do
    test="$here/test_$family.c" kernel="$root/kernels/cmsis/$family.c"
    [[ -f "$test" ]] || { echo "run.sh: $test not found" >&2; exit 2; }
    [[ -f "$kernel" ]] || { echo "run.sh: $kernel not found" >&2; exit 2; }
    read_list "$family" || { echo "cmsis kernels: FAILED ($family: CMSIS sources)"; exit 1; }
    for target in cortex-m55 stm32f4; do
        for opt in ${CMSIS_TEST_OPT_LEVELS:--O2 -Os -O0}; do
            label="$family $target $opt"
            elf="$work/$family-$target$opt.elf"
            build "$elf" "$target" "$opt" "$kernel" "$test" \
                || { echo "run.sh: build failed ($label)" >&2; echo "cmsis kernels: FAILED ($label: build)"; exit 1; }
            check "$label" "$elf" "$(target_machine "$target")"
        done
    done
done

if [[ $bench -eq 1 ]]; then
    read_list conv || exit 1
    echo "conv_momentum's conv calls on cortex-m55 (-O2), instructions counted in QEMU:"
    printf '  %-40s %10s %10s %7s\n' call cmsis portable ratio
    for kind in 1 2 3; do
        results=()
        for variant in cmsis portable; do
            elf="$work/bench-conv-$kind-$variant.elf"
            build "$elf" cortex-m55 -O2 "$root/kernels/$variant/conv.c" "$here/test_conv.c" -DAD_CONV_BENCH=$kind \
                || { echo "run.sh: bench build failed" >&2; exit 1; }
            line="$("$root/bench/qemu-insn-count/count.sh" "$elf" mps3-an547 120 2>&1 | grep '^insn-count:')"
            insn="$(sed -n 's/.* instructions=\([0-9]*\) .*/\1/p' <<<"$line")"
            [[ -n "$insn" ]] || { echo "run.sh: counting failed for $elf" >&2; exit 1; }
            results+=("$insn")
        done
        case $kind in
            1) name="ad_conv2d_f32 (conv1 + conv2)" ;;
            2) name="ad_conv2d_backward_input_f32 (conv2)" ;;
            3) name="weight_element_f32 (36 + 288 calls)" ;;
        esac
        printf '  %-40s %10s %10s %7s\n' "$name" "${results[0]}" "${results[1]}" \
            "$(awk -v a="${results[0]}" -v b="${results[1]}" 'BEGIN { printf "%.3f", a / b }')"
    done
fi

echo "cmsis kernels: $total cases passed"
