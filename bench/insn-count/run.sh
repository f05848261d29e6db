#!/usr/bin/env bash
# Instructions per training step of generated firmware, counted in QEMU.
#
# Packs the SDK from this checkout into a temporary feed, then for each model builds a firmware
# project with it for stm32f4 in Release (-O2): bench_main.c calls NAME_init(), a few warm-up
# NAME_train_step() calls, then K steps, each between ad_bench_start() and ad_bench_stop(). The
# firmware runs under bench/qemu-insn-count/count.sh, and a table is printed: parameters,
# instructions per step and per parameter per step, flash and static RAM of the image, and the
# planned arena, for
#   fused    AutodiffFuseUpdates=true (the default): updates fused into the gradient kernels
#   stored   AutodiffFuseUpdates=false: every gradient stored, then a separate update loop
# with portable kernels, and with CMSIS kernels too when CMSIS_DSP_ROOT (and CMSIS_NN_ROOT) are set.
# A variant whose plan does not fit stm32f4 (AD3xxx) is measured on the bench-only board
# stm32f4-bigram (boards/ here: the same core and flags, 4 MiB RAM on QEMU mps2-an386).
#
# Usage: bench/insn-count/run.sh [--models "mnist_mlp adam_mlp ..."] [--steps K] [--warmup W]
#                                [--work DIR] [--keep]
#   --models  file names (without .yaml) under tests/Autodiff.Engine.Tests/Models/good, or paths
#   --steps   counted training steps per firmware (default 5); --warmup uncounted ones before (2)
#   --work    working folder (default: a new temporary one, removed at the end unless --keep)
# Needs dotnet, arm-none-eabi-gcc (with newlib), qemu-system-arm and gcc (for the QEMU plugin).
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
models_dir="$root/tests/Autodiff.Engine.Tests/Models/good"

# frozen_weights needs .npy files that only its tests generate; tensor_ops is not a reference model.
models="mnist_mlp adam_mlp conv_momentum residual_rmsprop bce hinge tensor_chain"
steps=5
warmup=2
work=""
keep=0
while [[ $# -gt 0 ]]; do
    case "$1" in
        --models) models="$2"; shift 2 ;;
        --steps) steps="$2"; shift 2 ;;
        --warmup) warmup="$2"; shift 2 ;;
        --work) work="$2"; keep=1; shift 2 ;;
        --keep) keep=1; shift ;;
        -h|--help) sed -n '2,/^set -uo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "run.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
done
[[ "$steps" =~ ^[1-9][0-9]*$ && "$warmup" =~ ^[0-9]+$ ]] || { echo "run.sh: --steps and --warmup take whole numbers" >&2; exit 2; }

for tool in dotnet arm-none-eabi-gcc arm-none-eabi-size qemu-system-arm gcc; do
    command -v "$tool" >/dev/null || { echo "run.sh: $tool not found (Debian/Ubuntu: apt-get install gcc gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm; .NET SDK from global.json)" >&2; exit 2; }
done

if [[ -z "$work" ]]; then
    work="$(mktemp -d "${TMPDIR:-/tmp}/autodiff-insn.XXXXXX")"
fi
mkdir -p "$work"
work="$(cd "$work" && pwd)"
[[ $keep -eq 1 ]] || trap 'rm -rf "$work"' EXIT

export NUGET_PACKAGES="$work/packages"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1 MSBUILDDISABLENODEREUSE=1

# CMSIS: the SDK reads CMSIS_DSP_ROOT / CMSIS_NN_ROOT itself; both variants are measured with it.
kernel_sets="portable"
if [[ -n "${CMSIS_DSP_ROOT:-}" || -n "${CMSIS_NN_ROOT:-}" ]]; then
    kernel_sets="portable cmsis"
fi

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

# build_and_count MODEL_FILE CNAME VARIANT KERNELS FUSE BOARD -> prints "params insn text databss arena"
# on stdout, or "FAIL reason"; logs stay in the project folder.
build_and_count() {
    local model_file="$1" cname="$2" variant="$3" kernels="$4" fuse="$5" board="$6"
    local dir="$projects/$cname-$variant-$kernels-$board"
    rm -rf "$dir"; mkdir -p "$dir"
    cp "$here/bench_main.c" "$dir/main.c"
    cat >"$dir/Bench.proj" <<EOF
<Project Sdk="Autodiff.Sdk">
  <PropertyGroup>
    <AutodiffDefines>MODEL=$cname;AD_BENCH_STEPS=$steps;AD_BENCH_WARMUP=$warmup</AutodiffDefines>
    <AutodiffBoardsDirectory>$here/boards</AutodiffBoardsDirectory>
  </PropertyGroup>
  <ItemGroup>
    <AutodiffModel Include="$model_file" />
  </ItemGroup>
</Project>
EOF
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
    "$root/bench/qemu-insn-count/count.sh" "$elf" "$machine" 600 >"$dir/run.log" 2>&1
    local rc=$?
    if [[ $rc -ne 0 ]]; then echo "FAIL exit-$rc"; return; fi
    local params windows insn
    params="$(sed -n 's/^bench: .* params=\([0-9]*\) .*/\1/p' "$dir/run.log" | head -n 1)"
    windows="$(sed -n 's/^insn-count: windows=\([0-9]*\) .*/\1/p' "$dir/run.log")"
    insn="$(sed -n 's/^insn-count: .* instructions=\([0-9]*\) .*/\1/p' "$dir/run.log")"
    if [[ -z "$params" || "$windows" != "$steps" || -z "$insn" ]]; then echo "FAIL count"; return; fi
    # Berkeley size, as the SDK's "Firmware:" line: text = code + constants (+ .data initial values
    # are counted under data here); data + bss = static RAM, the arena included.
    local text data bss
    read -r text data bss _ < <(arm-none-eabi-size -B "$elf" | awk 'NR == 2 { print $1, $2, $3 }')
    local arena
    arena="$(sed -n "s/^#define ${cname}_ARENA_BYTES *\([0-9]*\)u*.*/\1/p" "$dir/obj/Release/autodiff/$cname/$cname.h" | head -n 1)"
    echo "$params $((insn / steps)) $text $((data + bss)) ${arena:-?}"
}

rows=()
notes=()
declare -A reference   # model -> instructions per step of its first measured row (fused, portable)
for model in $models; do
    if [[ -f "$model" ]]; then model_file="$(cd "$(dirname "$model")" && pwd)/$(basename "$model")"
    else model_file="$models_dir/$model.yaml"; fi
    if [[ ! -f "$model_file" ]]; then echo "run.sh: no model '$model'" >&2; exit 2; fi
    cname="$(sed -n 's/^name: *\([a-z_][a-z0-9_]*\).*/\1/p' "$model_file" | head -n 1)"
    label="$(basename "$model_file" .yaml)"
    for kernels in $kernel_sets; do
        for variant in fused stored; do
            fuse=true; [[ $variant == stored ]] && fuse=false
            board=stm32f4
            echo "Building and counting $label ($variant, $kernels) ..." >&2
            result="$(build_and_count "$model_file" "$cname" "$variant" "$kernels" "$fuse" "$board")"
            if [[ "$result" == "FAIL AD3"* ]]; then
                notes+=("$label $variant/$kernels: ${result#FAIL } on stm32f4 (does not fit 128 KiB); measured on stm32f4-bigram")
                board=stm32f4-bigram
                result="$(build_and_count "$model_file" "$cname" "$variant" "$kernels" "$fuse" "$board")"
            fi
            rows+=("$label|$variant|$kernels|$board|$result")
            if [[ "$result" == FAIL* ]]; then
                notes+=("$label $variant/$kernels: ${result#FAIL } (logs: $projects/$cname-$variant-$kernels-$board)")
            elif [[ -z "${reference[$label]:-}" ]]; then
                reference[$label]="$(awk '{ print $2 }' <<<"$result")"
            fi
        done
    done
done

echo
echo "Instructions per training step, stm32f4 (Cortex-M4F), Release (-O2), QEMU TCG count over $steps steps after $warmup warm-up"
format='%-18s %-6s %-8s %-14s %8s %11s %10s %7s %9s %10s %9s\n'
printf "$format" model plan kernels board params insn/step insn/param "x ref" "text B" "data+bss B" "arena B"
printf '%s\n' "$(printf '%.0s-' {1..119})"
for row in "${rows[@]}"; do
    IFS='|' read -r label variant kernels board result <<<"$row"
    if [[ "$result" == FAIL* ]]; then
        printf '%-18s %-6s %-8s %-14s %s\n' "$label" "$variant" "$kernels" "$board" "failed: ${result#FAIL }"
        continue
    fi
    read -r params insn text ram arena <<<"$result"
    printf "$format" "$label" "$variant" "$kernels" "$board" "$params" "$insn" \
        "$(awk -v i="$insn" -v p="$params" 'BEGIN { printf "%.1f", i / p }')" \
        "$(awk -v i="$insn" -v r="${reference[$label]}" 'BEGIN { printf "%.3f", i / r }')" "$text" "$ram" "$arena"
done
echo
echo "plan: fused = AutodiffFuseUpdates=true (default), stored = AutodiffFuseUpdates=false (every gradient stored, separate update loop)"
echo "x ref: instructions per step relative to the model's first row (fused, portable)"
echo "text B and data+bss B: Berkeley 'size' of the whole image (as the SDK's Firmware line); data+bss includes the arena and the bench's x/y buffers; arena B: the model's planned arena (NAME_ARENA_BYTES)"
if [[ "$kernel_sets" == portable ]]; then
    echo "CMSIS columns skipped: set CMSIS_DSP_ROOT (and CMSIS_NN_ROOT; CMSIS_CORE_ROOT unless a CMSIS_6 checkout sits beside them) to CMSIS source trees to measure AutodiffKernels=cmsis too"
fi
for note in "${notes[@]}"; do echo "note: $note"; done
if [[ $keep -eq 1 ]]; then echo "projects and logs kept in $projects"; fi
