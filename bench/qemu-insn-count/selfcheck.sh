#!/usr/bin/env bash
# Self-check of the histogram plugin, the phase split and estimate-cycles.sh on a hand-written
# firmware (selfcheck.S) whose instructions and cycles are counted by hand in its annotations.
#
# Usage: bench/qemu-insn-count/selfcheck.sh
# Builds selfcheck.S with arm-none-eabi-gcc, runs it under count.sh on netduinoplus2 twice
# (plain, then with INSNCOUNT_HIST), and compares per phase the instructions and estimated
# cycles with the sums of the `@ n=.. c=.. PHASE` annotations. Prints one line per figure and
# "selfcheck: OK" (exit 0) or "selfcheck: FAILED" (exit 1).
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/insncount-selfcheck.XXXXXX")"
trap 'rm -rf "$work"' EXIT

arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -mfpu=fpv4-sp-d16 -mfloat-abi=hard -nostdlib \
    -nostartfiles -Wl,-Ttext=0x08000000 -Wl,--build-id=none -Wl,--entry=reset -o "$work/selfcheck.elf" \
    "$here/selfcheck.S" || { echo "selfcheck: building selfcheck.S failed"; exit 1; }

# Expected figures: the hand annotations, summed per phase.
read -r ef eb eu cf cb cu < <(awk '
    match($0, /@ n=[0-9]+ c=[0-9]+ [fbu]( |$)/) {
        split(substr($0, RSTART + 2, RLENGTH - 2), a, /[ =]/)
        n[a[5]] += a[2]; c[a[5]] += a[4]
    }
    END { print n["f"] + 0, n["b"] + 0, n["u"] + 0, c["f"] + 0, c["b"] + 0, c["u"] + 0 }' \
    "$here/selfcheck.S")

plain="$("$here/count.sh" "$work/selfcheck.elf" netduinoplus2 60)"; rc1=$?
hist_line="$(INSNCOUNT_HIST="$work/hist.txt" "$here/count.sh" "$work/selfcheck.elf" netduinoplus2 60)"; rc2=$?
est="$("$here/estimate-cycles.sh" "$work/selfcheck.elf" "$work/hist.txt")" || est=""

status=0
check() {   # check WHAT EXPECTED ACTUAL
    if [[ "$2" == "$3" ]]; then
        printf 'selfcheck: %-34s expected %-8s got %-8s ok\n' "$1" "$2" "$3"
    else
        printf 'selfcheck: %-34s expected %-8s got %-8s MISMATCH\n' "$1" "$2" "$3"
        status=1
    fi
}
field() { sed -n "s/.*$1=\([0-9]*\).*/\1/p" <<<"$2" | head -n 1; }
phase_field() { field "$2" "$(grep "^est-cycles: phase=$1 " <<<"$est")"; }

check "firmware exit status (plain)" 0 "$rc1"
check "firmware exit status (histogram)" 0 "$rc2"
check "windows" 2 "$(field windows "$plain")"
check "instructions (plain count)" "$((ef + eb + eu))" "$(field instructions "$plain")"
check "instructions (histogram run)" "$((ef + eb + eu))" "$(field instructions "$hist_line")"
check "same total both runs" "$(field total "$plain")" "$(field total "$hist_line")"
check "forward instructions" "$ef" "$(phase_field forward instructions)"
check "backward instructions" "$eb" "$(phase_field backward instructions)"
check "update instructions" "$eu" "$(phase_field update instructions)"
check "forward estimated cycles" "$cf" "$(phase_field forward cycles)"
check "backward estimated cycles" "$cb" "$(phase_field backward cycles)"
check "update estimated cycles" "$cu" "$(phase_field update cycles)"
check "total estimated cycles" "$((cf + cb + cu))" "$(field cycles "$(grep '^est-cycles: total' <<<"$est")")"
check "instructions not in disassembly" 0 "$(field unknown "$est")"
if [[ $status -eq 0 ]]; then echo "selfcheck: OK"; else echo "selfcheck: FAILED"; fi
exit "$status"
