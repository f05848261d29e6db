#!/usr/bin/env bash
# Tests kernels/armv7em/linear.c and int8.c in QEMU (netduinoplus2, Cortex-M4F) and counts the
# instructions of linear.c.
#
# 1. For each family (linear, int8), builds test_<family>.c + <family>.c with the SDK's stm32f4
#    board files (startup, syscalls, semihosting, linker script) for each optimisation level in
#    $AD7_OPT_LEVELS (default "-O2 -Og -O0 -Os": Release, Debug, no optimisation (r7 is the frame
#    pointer), size), runs each in qemu-system-arm and fails on the first result that differs,
#    bit for bit, from the reference loops (int8: the shared C of int8_common.h); then once more
#    built for the Cortex-M7 (fpv5-sp-d16) on QEMU's mps2-an500 (the SDK's cortex-m7 board
#    layout), when that machine is available.
# 2. Unless --no-bench, builds one-call firmwares (-O2) and counts their instructions with
#    bench/qemu-insn-count/count.sh: forward and SGD on 784x32 batch 1 (and a few batched shapes),
#    for the kernels, kernels/portable/linear.c and the plain C reference loops, per weight (and sample
#    when batched), with a Cortex-M4 cycle estimate (bench/qemu-insn-count/estimate-cycles.sh).
# Prints "armv7em linear: N cases passed" and "armv7em int8: M cases passed" last and exits 0 on
# success, non-zero otherwise.
#
# Usage: kernels/armv7em/test/run.sh [--no-bench] [--keep]
# Needs arm-none-eabi-gcc (with newlib), qemu-system-arm, and gcc for the counting plugin.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
boards="$root/sdk/Autodiff.Sdk/boards"
bench=1
keep=0
for arg in "$@"; do
    case "$arg" in
        --no-bench) bench=0 ;;
        --keep) keep=1 ;;
        -h|--help) sed -n '2,/^set -uo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "run.sh: unknown argument '$arg'" >&2; exit 2 ;;
    esac
done
for tool in arm-none-eabi-gcc qemu-system-arm; do
    command -v "$tool" >/dev/null || { echo "run.sh: $tool not found" >&2; exit 2; }
done

work="$(mktemp -d "${TMPDIR:-/tmp}/armv7em-linear.XXXXXX")"
if [[ $keep -eq 1 ]]; then echo "run.sh: build files kept in $work" >&2; else trap 'rm -rf "$work"' EXIT; fi

cpu=(-mcpu=cortex-m4 -mthumb -mfpu=fpv4-sp-d16 -mfloat-abi=hard)
warn=(-std=c99 -Wall -Wextra -Wpedantic -Werror)
board=(-DAUTODIFF_IRQ_COUNT=82 -ffunction-sections -fdata-sections -I "$boards/common")
link=(--specs=nano.specs -u _printf_float -nostartfiles -Wl,--gc-sections -L "$boards/common")
script=(-T "$boards/stm32f4/stm32f4.ld")
board_sources=("$boards/common/startup_cortexm.c" "$boards/common/syscalls.c" "$boards/common/console_semihosting.c" "$boards/common/semihosting.c")

# build OUT OPT [DEFINES...]: $test (default test_linear.c) + $kernel (default armv7em/linear.c) + board files -> OUT.elf
kernel="$root/kernels/armv7em/linear.c"
test_source="$here/test_linear.c"
build() {
    local out="$1" opt="$2"; shift 2
    arm-none-eabi-gcc "${cpu[@]}" "$opt" "${warn[@]}" "${board[@]}" -I "$root/kernels/portable" "$@" \
        "$test_source" "$kernel" "${board_sources[@]}" \
        "${link[@]}" "${script[@]}" -lm -o "$out" >"$out.log" 2>&1 || { cat "$out.log" >&2; return 1; }
}

qemu() {
    timeout -k 10 600 qemu-system-arm -M "${2:-netduinoplus2}" -nographic \
        -semihosting-config enable=on,target=native -kernel "$1" </dev/null
}

# check LABEL ELF [MACHINE]: runs one test firmware and adds its passed cases to the total.
total=0
check() {
    local label="$1" elf="$2" output rc n
    output="$(qemu "$elf" "${3:-}")"
    rc=$?
    printf '%s\n' "$output" | sed "s/^/[$label] /"
    if [[ $rc -ne 0 ]]; then echo "run.sh: test firmware ($label) failed with exit status $rc" >&2; exit 1; fi
    n="$(sed -n 's/^passed \([0-9]*\) cases$/\1/p' <<<"$output")"
    [[ -n "$n" ]] || { echo "run.sh: no result from the test firmware ($label)" >&2; exit 1; }
    total=$((total + n))
}

declare -A passed
for family in linear int8; do
    kernel="$root/kernels/armv7em/$family.c"; test_source="$here/test_$family.c"
    total=0
    for opt in ${AD7_OPT_LEVELS:--O2 -Og -O0 -Os}; do
        elf="$work/test-$family$opt.elf"
        build "$elf" "$opt" || { echo "run.sh: build failed ($family $opt)" >&2; exit 1; }
        check "$family $opt" "$elf"
    done

    # The same test built for the Cortex-M7 (fpv5-sp-d16) on QEMU's mps2-an500, when this QEMU has it.
    if qemu-system-arm -M help 2>/dev/null | grep -q '^mps2-an500 '; then
        elf="$work/test-$family-m7.elf"
        m4_cpu=("${cpu[@]}"); m4_script=("${script[@]}")
        cpu=(-mcpu=cortex-m7 -mthumb -mfpu=fpv5-sp-d16 -mfloat-abi=hard); script=(-T "$boards/cortex-m7/cortex_m7.ld")
        build "$elf" -O2 || { echo "run.sh: build failed ($family, Cortex-M7)" >&2; exit 1; }
        cpu=("${m4_cpu[@]}"); script=("${m4_script[@]}")
        check "$family cortex-m7 -O2" "$elf" mps2-an500
    else
        echo "run.sh: qemu-system-arm has no mps2-an500; Cortex-M7 run skipped" >&2
    fi
    passed[$family]=$total
done
kernel="$root/kernels/armv7em/linear.c"; test_source="$here/test_linear.c"

if [[ $bench -eq 1 ]]; then
    # Cycles: Cortex-M4 estimate from the executed-PC histogram (bench/qemu-insn-count/
    # estimate-cycles.sh: TRM timings, no wait states), when that script is present.
    estimate="$root/bench/qemu-insn-count/estimate-cycles.sh"
    [[ -x "$estimate" ]] || estimate=""
    echo "per weight (per weight and sample when batched), whole call, -O2; instructions counted in QEMU,"
    echo "cycles estimated for the Cortex-M4. portable = kernels/portable/linear.c (C, 8 rows per pass),"
    echo "plain C = the reference loops of test_linear.c (one fmaf per term):"
    printf '  %-8s %-10s %12s %8s %8s %10s %10s %9s %9s\n' kernel "in.out.B" instructions "insn/w" "cyc/w" \
        "port insn" "port cyc" "C insn" "C cyc"
    for shape in "784 32 1" "260 20 16" "16 24 4"; do
        read -r in out batch <<<"$shape"
        terms=$((in * out * batch))
        for kind in 1 2; do
            results=()
            for variant in asm portable ref; do
                elf="$work/bench-$kind-$in-$out-$batch-$variant.elf"
                defs=(-DAD7_BENCH=$kind -DAD7_IN=$in -DAD7_OUT=$out -DAD7_BATCH=$batch)
                [[ $variant == ref ]] && defs+=(-DAD7_BENCH_REF)
                if [[ $variant == portable ]]; then
                    # only for comparison: skipped ("-") if the portable family does not build
                    kernel="$root/kernels/portable/linear.c" build "$elf" -O2 "${defs[@]}" 2>/dev/null \
                        || { results+=("" ""); continue; }
                else
                    build "$elf" -O2 "${defs[@]}" || { echo "run.sh: bench build failed" >&2; exit 1; }
                fi
                line="$(INSNCOUNT_HIST="$elf.hist" "$root/bench/qemu-insn-count/count.sh" "$elf" netduinoplus2 120 2>&1 | grep '^insn-count:')"
                insn="$(sed -n 's/.* instructions=\([0-9]*\) .*/\1/p' <<<"$line")"
                [[ -n "$insn" ]] || { echo "run.sh: counting failed for $elf" >&2; exit 1; }
                cycles=""
                if [[ -n "$estimate" && -s "$elf.hist" ]]; then
                    cycles="$("$estimate" "$elf" "$elf.hist" 2>/dev/null | sed -n 's/^est-cycles: total .* cycles=\([0-9]*\).*/\1/p')"
                fi
                results+=("$insn" "${cycles:-}")
            done
            per() { [[ -n "$1" ]] && awk -v n="$1" -v d="$terms" 'BEGIN { printf "%.3f", n / d }' || echo "-"; }
            name=forward; [[ $kind -eq 2 ]] && name=sgd
            printf '  %-8s %-10s %12s %8s %8s %10s %10s %9s %9s\n' "$name" "${in}.${out}.${batch}" "${results[0]}" \
                "$(per "${results[0]}")" "$(per "${results[1]}")" "$(per "${results[2]}")" \
                "$(per "${results[3]}")" "$(per "${results[4]}")" "$(per "${results[5]}")"
        done
    done
fi

echo "armv7em linear: ${passed[linear]} cases passed"
echo "armv7em int8: ${passed[int8]} cases passed"
