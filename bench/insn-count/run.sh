#!/usr/bin/env bash
# Instructions and estimated cycles per training step of generated firmware, counted in QEMU.
#
# Packs the SDK from this checkout into a temporary feed, then for each model, kernel family and
# plan builds a firmware project with it for stm32f4 in Release (-O2): bench_main.c calls
# NAME_init(), a few warm-up NAME_train_step() calls, then K steps, each between ad_bench_start()
# and ad_bench_stop(). The firmware runs under bench/qemu-insn-count/count.sh with a per-PC
# histogram (INSNCOUNT_HIST), which bench/qemu-insn-count/estimate-cycles.sh turns into estimated
# Cortex-M4 cycles, split into the forward, backward and update phases (the generated step marks
# them when built with AD_BENCH_PHASES). Three tables are printed:
#   1. parameters, instructions per step and per parameter, flash, static RAM, planned arena
#   2. estimated cycles per step and per parameter, estimated cycles per instruction,
#      multiply-accumulates per step (NAME_STEP_MACS) and instructions per multiply-accumulate
#   3. instructions and estimated cycles per step in each phase
# Plans:
#   fused    AutodiffFuseUpdates=true (the default): updates fused into the gradient kernels
#   stored   AutodiffFuseUpdates=false: every gradient stored, then a separate update loop
# A variant whose plan does not fit stm32f4 (AD3xxx) is measured on the bench-only board
# stm32f4-bigram (boards/ here: the same core and flags, 4 MiB RAM on QEMU mps2-an386).
#
# Usage: bench/insn-count/run.sh [--models "mnist_mlp adam_mlp ..."] [--kernels "auto portable ..."]
#                                [--variants "fused stored"] [--steps K] [--warmup W]
#                                [--board B] [--work DIR] [--keep]
#   --models    file names (without .yaml) under tests/Autodiff.Engine.Tests/Models/good, or paths
#   --kernels   AutodiffKernels values to measure, from portable armv7em cmsis auto
#               (default: "auto portable", plus cmsis when CMSIS_DSP_ROOT is set)
#   --variants  plans to measure, from fused stored (default: fused)
#   --board     the board to build for and run in QEMU (default stm32f4); cycles are estimated with
#               the table of its core (estimate-cycles.sh --core: m55 for cortex-m55, else m4)
#   --steps     counted training steps per firmware (default 5); --warmup uncounted ones before (2)
#   --work      working folder (default: a new temporary one, removed at the end unless --keep)
# Needs dotnet, arm-none-eabi-gcc (with newlib) and binutils, qemu-system-arm and gcc (for the
# QEMU plugin).
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
models_dir="$root/tests/Autodiff.Engine.Tests/Models/good"

# frozen_weights needs .npy files that only its tests generate; tensor_ops is not a reference model.
models="mnist_mlp adam_mlp conv_momentum residual_rmsprop bce hinge tensor_chain"
kernel_sets="auto portable"
if [[ -n "${CMSIS_DSP_ROOT:-}" ]]; then kernel_sets="auto portable cmsis"; fi
variants="fused"
board_default=stm32f4
steps=5
warmup=2
work=""
keep=0
while [[ $# -gt 0 ]]; do
    case "$1" in
        --models) models="$2"; shift 2 ;;
        --kernels) kernel_sets="$2"; shift 2 ;;
        --variants) variants="$2"; shift 2 ;;
        --board) board_default="$2"; shift 2 ;;
        --steps) steps="$2"; shift 2 ;;
        --warmup) warmup="$2"; shift 2 ;;
        --work) work="$2"; keep=1; shift 2 ;;
        --keep) keep=1; shift ;;
        -h|--help) sed -n '2,/^set -uo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "run.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
done
[[ "$steps" =~ ^[1-9][0-9]*$ && "$warmup" =~ ^[0-9]+$ ]] || { echo "run.sh: --steps and --warmup take whole numbers" >&2; exit 2; }
for k in $kernel_sets; do
    [[ " portable armv7em cmsis auto " == *" $k "* ]] || { echo "run.sh: unknown kernels '$k' (portable armv7em cmsis auto)" >&2; exit 2; }
done
for v in $variants; do
    [[ $v == fused || $v == stored ]] || { echo "run.sh: unknown variant '$v' (fused stored)" >&2; exit 2; }
done
[[ -n "$kernel_sets" && -n "$variants" ]] || { echo "run.sh: --kernels and --variants need at least one value" >&2; exit 2; }

for tool in dotnet arm-none-eabi-gcc arm-none-eabi-size arm-none-eabi-objdump qemu-system-arm gcc; do
    command -v "$tool" >/dev/null || { echo "run.sh: $tool not found (Debian/Ubuntu: apt-get install gcc gcc-arm-none-eabi binutils-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm; .NET SDK from global.json)" >&2; exit 2; }
done

if [[ -z "$work" ]]; then
    work="$(mktemp -d "${TMPDIR:-/tmp}/autodiff-insn.XXXXXX")"
fi
mkdir -p "$work"
work="$(cd "$work" && pwd)"
[[ $keep -eq 1 ]] || trap 'rm -rf "$work"' EXIT

export NUGET_PACKAGES="$work/packages"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1 MSBUILDDISABLENODEREUSE=1

# CMSIS: the SDK reads CMSIS_DSP_ROOT / CMSIS_NN_ROOT / CMSIS_CORE_ROOT itself.

echo "Packing the SDK into $work/feed ..." >&2
rm -rf "$work/feed" "$work/packages"
if ! dotnet pack "$root/sdk/Autodiff.Sdk" -c Release -o "$work/feed" --artifacts-path "$work/artifacts" \
        -nodeReuse:false --disable-build-servers >"$work/pack.log" 2>&1; then
    tail -n 30 "$work/pack.log" >&2
    echo "run.sh: dotnet pack failed (log: $work/pack.log)" >&2
    exit 1
fi
package="$(cd "$work/feed" && ls Autodiff.Sdk.*.nupkg | head -n 1)"
version="${package#Autodiff.Sdk.}"; version="${version%.nupkg}"

projects="$work/projects"
mkdir -p "$projects"
cat >"$projects/global.json" <<EOF
{ "msbuild-sdks": { "Autodiff.Sdk": "$version" } }
EOF
cat >"$projects/nuget.config" <<EOF
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="autodiff-bench" value="$work/feed" />
  </packageSources>
</configuration>
EOF

# build_and_count MODEL_FILE CNAME VARIANT KERNELS FUSE BOARD -> prints, per step,
#   "params insn text databss arena macs cycles fwd_insn bwd_insn upd_insn fwd_cyc bwd_cyc upd_cyc"
# on stdout (macs "?" when the generated header has no NAME_STEP_MACS), or "FAIL reason"; logs,
# the histogram (hist.txt) and the estimate (estimate.txt) stay in the project folder.
build_and_count() {
    local model_file="$1" cname="$2" variant="$3" kernels="$4" fuse="$5" board="$6"
    local dir="$projects/$cname-$variant-$kernels-$board"
    rm -rf "$dir"; mkdir -p "$dir"
    cp "$here/bench_main.c" "$dir/main.c"
    cat >"$dir/Bench.proj" <<PROJ
<Project Sdk="Autodiff.Sdk">
  <PropertyGroup>
    <AutodiffDefines>MODEL=$cname;AD_BENCH_STEPS=$steps;AD_BENCH_WARMUP=$warmup;AD_BENCH_PHASES</AutodiffDefines>
    <AutodiffBoardsDirectory>$here/boards</AutodiffBoardsDirectory>
  </PropertyGroup>
  <ItemGroup>
    <AutodiffModel Include="$model_file" />
  </ItemGroup>
</Project>
PROJ
    if ! dotnet build "$dir/Bench.proj" -c Release -p:Board="$board" -p:AutodiffKernels="$kernels" \
            -p:AutodiffFuseUpdates="$fuse" -nodeReuse:false --disable-build-servers >"$dir/build.log" 2>&1; then
        local code
        code="$(grep -o 'error AD[0-9]*' "$dir/build.log" | head -n 1 | sed 's/error //')"
        echo "FAIL ${code:-build}"
        return
    fi
    local elf="$dir/bin/Release/$board/Bench.elf"
    local board_file="$here/boards/$board/board.yaml" machine
    [[ -f "$board_file" ]] || board_file="$root/sdk/Autodiff.Sdk/boards/$board/board.yaml"
    machine="$(awk '$1 == "qemu:" { print $2; exit }' "$board_file")"
    INSNCOUNT_HIST="$dir/hist.txt" "$root/bench/qemu-insn-count/count.sh" "$elf" "$machine" 600 >"$dir/run.log" 2>&1
    local rc=$?
    if [[ $rc -ne 0 ]]; then echo "FAIL exit-$rc"; return; fi
    local params macs windows insn
    params="$(sed -n 's/^bench: .* params=\([0-9]*\) .*/\1/p' "$dir/run.log" | head -n 1)"
    macs="$(sed -n 's/^bench: .* macs=\([0-9?]*\) .*/\1/p' "$dir/run.log" | head -n 1)"
    windows="$(sed -n 's/^insn-count: windows=\([0-9]*\) .*/\1/p' "$dir/run.log")"
    insn="$(sed -n 's/^insn-count: .* instructions=\([0-9]*\) .*/\1/p' "$dir/run.log")"
    if [[ -z "$params" || "$windows" != "$steps" || -z "$insn" ]]; then echo "FAIL count"; return; fi
    local core=m4
    [[ "$(awk '$1 == "cpu:" { print $2; exit }' "$board_file")" == cortex-m55 ]] && core=m55
    if ! "$root/bench/qemu-insn-count/estimate-cycles.sh" "$elf" "$dir/hist.txt" --classes --core "$core" >"$dir/estimate.txt" 2>&1; then
        echo "FAIL estimate"; return
    fi
    # est-cycles lines -> "cycles fwd_insn bwd_insn upd_insn fwd_cyc bwd_cyc upd_cyc", per step
    local phases
    phases="$(awk -v k="$steps" -v insn="$insn" '
        /^est-cycles: phase=/ {
            split($2, p, "="); split($3, i, "="); split($4, c, "=")
            pi[p[2]] = i[2]; pc[p[2]] = c[2]
        }
        /^est-cycles: total / { split($3, i, "="); split($4, c, "="); ti = i[2]; tc = c[2] }
        END {
            if (ti != insn) { print "mismatch"; exit }
            printf "%.0f %.0f %.0f %.0f %.0f %.0f %.0f\n", tc / k, pi["forward"] / k, pi["backward"] / k,
                pi["update"] / k, pc["forward"] / k, pc["backward"] / k, pc["update"] / k
        }' "$dir/estimate.txt")"
    if [[ -z "$phases" || "$phases" == mismatch ]]; then echo "FAIL estimate"; return; fi
    # Berkeley size, as the SDK's "Firmware:" line: text = code + constants (+ .data initial values
    # are counted under data here); data + bss = static RAM, the arena included.
    local text data bss
    read -r text data bss _ < <(arm-none-eabi-size -B "$elf" | awk 'NR == 2 { print $1, $2, $3 }')
    local arena
    # The header's macros take the model name in upper case (UPPER_ARENA_BYTES).
    arena="$(sed -n "s/^#define ${cname^^}_ARENA_BYTES *\([0-9]*\)u*.*/\1/p" "$dir/obj/Release/autodiff/$cname/$cname.h" | head -n 1)"
    echo "$params $((insn / steps)) $text $((data + bss)) ${arena:-?} ${macs:-?} $phases"
}

rows=()
notes=()
declare -A reference reference_row   # model -> instructions per step (and variant/kernels) of its first measured row
ref_list=""
for model in $models; do
    if [[ -f "$model" ]]; then model_file="$(cd "$(dirname "$model")" && pwd)/$(basename "$model")"
    else model_file="$models_dir/$model.yaml"; fi
    if [[ ! -f "$model_file" ]]; then echo "run.sh: no model '$model'" >&2; exit 2; fi
    cname="$(sed -n 's/^name: *\([a-z_][a-z0-9_]*\).*/\1/p' "$model_file" | head -n 1)"
    label="$(basename "$model_file" .yaml)"
    for kernels in $kernel_sets; do
        for variant in $variants; do
            fuse=true; [[ $variant == stored ]] && fuse=false
            board=$board_default
            echo "Building and counting $label ($variant, $kernels, $board) ..." >&2
            result="$(build_and_count "$model_file" "$cname" "$variant" "$kernels" "$fuse" "$board")"
            if [[ "$result" == "FAIL AD3"* && $board == stm32f4 ]]; then
                notes+=("$label $variant/$kernels: ${result#FAIL } on stm32f4 (does not fit 128 KiB); measured on stm32f4-bigram")
                board=stm32f4-bigram
                result="$(build_and_count "$model_file" "$cname" "$variant" "$kernels" "$fuse" "$board")"
            fi
            rows+=("$label|$variant|$kernels|$board|$result")
            if [[ "$result" == FAIL* ]]; then
                notes+=("$label $variant/$kernels: ${result#FAIL } (logs: $projects/$cname-$variant-$kernels-$board)")
            elif [[ -z "${reference[$label]:-}" ]]; then
                reference[$label]="$(awk '{ print $2 }' <<<"$result")"
                reference_row[$label]="$variant/$kernels"
                ref_list+="${ref_list:+, }$label: $variant/$kernels"
            fi
        done
    done
done

ratio() { awk -v a="$1" -v b="$2" -v f="$3" 'BEGIN { if (a ~ /^[0-9]+$/ && b ~ /^[0-9]+$/ && b > 0) printf f, a / b; else printf "-" }'; }
rule() { printf '%s\n' "$(printf "%${1}s" '' | tr ' ' -)"; }
# Prints the row's leading columns, or the whole row as failed (returns 1).
lead() {
    printf '%-18s %-6s %-8s %-14s' "$1" "$2" "$3" "$4"
    if [[ "$5" == FAIL* ]]; then printf ' %s\n' "failed: ${5#FAIL }"; return 1; fi
}

echo
echo "1. Instructions per training step, $board_default, Release (-O2), QEMU TCG count over $steps steps after $warmup warm-up"
format=' %8s %11s %10s %7s %9s %10s %9s\n'
printf '%-18s %-6s %-8s %-14s'"$format" model plan kernels board params insn/step insn/param "x ref" "text B" "data+bss B" "arena B"
rule 119
for row in "${rows[@]}"; do
    IFS='|' read -r label variant kernels board result <<<"$row"
    lead "$label" "$variant" "$kernels" "$board" "$result" || continue
    read -r params insn text ram arena _ <<<"$result"
    printf "$format" "$params" "$insn" "$(ratio "$insn" "$params" %.1f)" \
        "$(ratio "$insn" "${reference[$label]}" %.3f)" "$text" "$ram" "$arena"
done

echo
if [[ $board_default == cortex-m55 ]]; then
    echo "2. Estimated cycles per training step (the Cortex-M55 table of estimate-cycles.sh --core m55; estimated from the executed instructions)"
else
    echo "2. Estimated cycles per training step (Cortex-M4 TRM r0p1 timings, no wait states; estimated from the executed instructions)"
fi
format=' %16s %17s %10s %10s %9s %15s\n'
printf '%-18s %-6s %-8s %-14s'"$format" model plan kernels board "est. cycles/step" "est. cycles/param" "est. CPI" "MACs/step" insn/MAC "est. cycles/MAC"
rule 129
for row in "${rows[@]}"; do
    IFS='|' read -r label variant kernels board result <<<"$row"
    lead "$label" "$variant" "$kernels" "$board" "$result" || continue
    read -r params insn _ _ _ macs cyc _ <<<"$result"
    printf "$format" "$cyc" "$(ratio "$cyc" "$params" %.1f)" "$(ratio "$cyc" "$insn" %.2f)" "$macs" \
        "$(ratio "$insn" "$macs" %.2f)" "$(ratio "$cyc" "$macs" %.2f)"
done

echo
echo "3. Phases per training step: instructions and estimated cycles"
format=' %12s %12s %12s %15s %15s %15s\n'
printf '%-18s %-6s %-8s %-14s'"$format" model plan kernels board "fwd insn" "bwd insn" "upd insn" "fwd est. cyc" "bwd est. cyc" "upd est. cyc"
rule 135
for row in "${rows[@]}"; do
    IFS='|' read -r label variant kernels board result <<<"$row"
    lead "$label" "$variant" "$kernels" "$board" "$result" || continue
    read -r _ _ _ _ _ _ _ fi bi ui fc bc uc <<<"$result"
    printf "$format" "$fi" "$bi" "$ui" "$fc" "$bc" "$uc"
done

echo
echo "plan: fused = AutodiffFuseUpdates=true (default), stored = AutodiffFuseUpdates=false (every gradient stored, separate update loop)"
echo "kernels: the AutodiffKernels value the firmware was built with (auto: the SDK's choice for the board)"
echo "x ref: instructions per step relative to the model's first measured row (${ref_list:-none measured})"
echo "text B and data+bss B: Berkeley 'size' of the whole image (as the SDK's Firmware line); data+bss includes the arena and the bench's x/y buffers; arena B: the model's planned arena (UPPER_ARENA_BYTES)"
echo "est. cycles: estimated from the per-instruction execution histogram with the table of the board's core in bench/qemu-insn-count/estimate-cycles.sh; est. CPI = est. cycles / instructions"
echo "MACs/step: NAME_STEP_MACS, the multiply-accumulates of one training step counted by the engine ('?': the generated code does not define it); insn/MAC and est. cycles/MAC divide by it"
echo "phases: forward / backward (gradients) / update, from the AD_PHASE markers of the generated step (a fused gradient+update counts as update); generated code without markers counts everything as forward"
if [[ " $kernel_sets " != *" cmsis "* && -z "${CMSIS_DSP_ROOT:-}" ]]; then
    echo "CMSIS rows skipped: set CMSIS_DSP_ROOT (and CMSIS_NN_ROOT; CMSIS_CORE_ROOT unless a CMSIS_6 checkout sits beside them) to CMSIS source trees to measure AutodiffKernels=cmsis too (and let auto choose it)"
fi
for note in "${notes[@]}"; do echo "note: $note"; done
if [[ $keep -eq 1 ]]; then echo "projects, logs, histograms (hist.txt) and estimates (estimate.txt) kept in $projects"; fi
