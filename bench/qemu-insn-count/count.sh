#!/usr/bin/env bash
# Count the guest instructions a firmware executes between ad_bench_start and
# ad_bench_stop, running it in qemu-system-arm with semihosting.
#
# Usage: count.sh ELF MACHINE [TIMEOUT_SECONDS] [-- EXTRA_QEMU_ARGS...]
#   e.g. count.sh build/firmware.elf netduinoplus2 120
#
# The firmware's stdout/stderr pass through unchanged; then one line
#   insn-count: windows=N instructions=M total=T
# is printed on stdout. Exit status: the firmware's exit code; 124 if the
# timeout (default 600 s) expired; 125 if counting could not be set up or
# produced no result.
# Environment: QEMU_SYSTEM_ARM, ARM_NM, INSNCOUNT_MODE (tb|insn),
#              INSNCOUNT_HIST (write the per-PC histogram, with phases, to this file),
#              INSNCOUNT_BUILD_DIR, CC.
set -uo pipefail

die() { echo "count.sh: $*" >&2; exit 125; }

[[ $# -ge 2 ]] || die "usage: count.sh ELF MACHINE [TIMEOUT_SECONDS] [-- EXTRA_QEMU_ARGS...]"
elf="$1"; machine="$2"; shift 2
limit=600
if [[ $# -gt 0 && "$1" != "--" ]]; then limit="$1"; shift; fi
if [[ $# -gt 0 ]]; then
    [[ "$1" == "--" ]] || die "unexpected argument '$1'"
    shift
fi
[[ -f "$elf" ]] || die "no such file: $elf"
[[ "$limit" =~ ^[0-9]+$ ]] || die "timeout must be whole seconds: $limit"

qemu="${QEMU_SYSTEM_ARM:-qemu-system-arm}"
nm="${ARM_NM:-arm-none-eabi-nm}"
mode="${INSNCOUNT_MODE:-tb}"
command -v "$qemu" >/dev/null || die "$qemu not found (Debian/Ubuntu: apt-get install qemu-system-arm)"
command -v "$nm" >/dev/null || die "$nm not found (Debian/Ubuntu: apt-get install binutils-arm-none-eabi)"

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
plugin="$("$here/build.sh")" || die "building the plugin failed"

symbols="$("$nm" "$elf")" || die "$nm failed on $elf"
addr_of() {
    awk -v s="$1" '$3 == s { print "0x" $1; exit }' <<<"$symbols"
}
start="$(addr_of ad_bench_start)"
stop="$(addr_of ad_bench_stop)"
[[ -n "$start" ]] || die "symbol ad_bench_start not found in $elf"
[[ -n "$stop" ]] || die "symbol ad_bench_stop not found in $elf"
hist_args=""
if [[ -n "${INSNCOUNT_HIST:-}" ]]; then
    hist_args=",hist=$INSNCOUNT_HIST"
    # optional phase markers (bench_main.c's ad_bench_phase_*; absent when unused)
    for phase in forward backward update; do
        a="$(addr_of "ad_bench_phase_$phase")"
        [[ -z "$a" ]] || hist_args+=",$phase=$a"
    done
fi

result="$(mktemp "${TMPDIR:-/tmp}/insncount.XXXXXX")" || die "mktemp failed"
# QEMU makes its stdout non-blocking (-nographic), so a firmware printing faster than a pipe is read
# loses output (semihosting writes fail with EAGAIN); a regular file never refuses a write.
output="$(mktemp "${TMPDIR:-/tmp}/insncount-out.XXXXXX")" || die "mktemp failed"
trap 'rm -f "$result" "$output"' EXIT

timeout -k 10 "$limit" "$qemu" -M "$machine" -nographic \
    -semihosting-config enable=on,target=native \
    -kernel "$elf" \
    -plugin "$plugin,start=$start,stop=$stop,out=$result,mode=$mode$hist_args" \
    "$@" </dev/null >"$output"
rc=$?
cat "$output"

if [[ $rc -eq 124 ]]; then
    echo "count.sh: timed out after ${limit}s" >&2
fi
if grep -q '^insn-count: windows=' "$result"; then
    cat "$result"
else
    echo "count.sh: the plugin reported nothing (qemu exit status $rc)" >&2
    [[ $rc -ne 0 ]] || rc=125
fi
exit "$rc"
