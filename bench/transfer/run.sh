#!/usr/bin/env bash
# The transfer sample's figures: device accuracy with the int8 and the float32 backbone, the frozen
# backbone's flash as int8 and as float32, and the instructions of one forward pass with each.
#
# Packs the SDK from this checkout into a temporary feed and copies samples/transfer (and
# samples/mnist, whose digits the MNIST variant uses) beside it. Then, for each data set and board:
#   1. accuracy: `dotnet build -c Release -p:Board=B -p:TransferData=D -t:Run` of the sample, which
#      pretrains on the host (first time only) and fine-tunes the head on the device in QEMU, once
#      with the int8 backbone (AutodiffKernels=auto: CMSIS-NN's s8 kernels when CMSIS is set) and
#      once with -p:AutodiffQuantize=false (float32 backbone, same kernels setting); the `accuracy:`
#      lines are quoted.
#   2. flash: the sizes the linked images give the backbone's constant tables (arm-none-eabi-nm -S):
#      int8, the int8 layers' flash data (transfer_n<node>_*: weights, bias, multiplier, shift);
#      float32, the frozen weight tables (transfer_frozen_*). The engine's own `flash tables` report
#      line is quoted beside them.
#   3. instructions: bench_predict.c, in a project importing the sample's TransferData.props (the
#      same model, data and pretrained weights), runs transfer_predict between the counting markers
#      of bench/qemu-insn-count; int8 with AutodiffKernels=auto (kernels/armv7em/int8.c on the
#      Cortex-M4F/M7, CMSIS-NN's s8 kernels on other cores with CMSIS) against float32 with
#      AutodiffKernels=portable, and int8 with AutodiffKernels=cmsis (CMSIS-NN, and CMSIS for the
#      float head too) for comparison. transfer_predict is the whole forward pass: the input's
#      quantisation, the backbone and the float head (gestures: 512 multiply-accumulates; MNIST:
#      4,000), the same in both builds but for their kernels. Cycles are estimated from the executed
#      instructions by bench/qemu-insn-count/estimate-cycles.sh (Cortex-M4 table, or M55 on cortex-m55).
#
# Usage: bench/transfer/run.sh [--data "gestures mnist"] [--boards "stm32f4 cortex-m55"]
#                              [--steps K] [--work DIR] [--keep]
#   --data    data sets (default: gestures, plus mnist when AUTODIFF_MNIST_DIR is set)
#   --boards  boards to run in QEMU (default stm32f4)
#   --steps   counted forward passes per firmware (default 5, after 2 uncounted)
#   --work    working folder (default: a new temporary one, removed at the end unless --keep)
# CMSIS: set CMSIS_NN_ROOT, CMSIS_DSP_ROOT (and CMSIS_CORE_ROOT unless a CMSIS_6 checkout sits
# beside them), or the int8 rows run the portable C. Needs dotnet, gcc, arm-none-eabi-gcc with
# newlib and binutils, qemu-system-arm.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

data_sets="gestures"
[[ -n "${AUTODIFF_MNIST_DIR:-}" ]] && data_sets="gestures mnist"
boards="stm32f4"
steps=5
work=""
keep=0
while [[ $# -gt 0 ]]; do
    case "$1" in
        --data) data_sets="$2"; shift 2 ;;
        --boards) boards="$2"; shift 2 ;;
        --steps) steps="$2"; shift 2 ;;
        --work) work="$2"; keep=1; shift 2 ;;
        --keep) keep=1; shift ;;
        -h|--help) sed -n '2,/^set -uo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "run.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
done
[[ "$steps" =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --steps takes a whole number" >&2; exit 2; }
for d in $data_sets; do
    [[ $d == gestures || $d == mnist ]] || { echo "run.sh: unknown data set '$d' (gestures mnist)" >&2; exit 2; }
done
for tool in dotnet gcc arm-none-eabi-gcc arm-none-eabi-nm qemu-system-arm; do
    command -v "$tool" >/dev/null || { echo "run.sh: $tool not found" >&2; exit 2; }
done

if [[ -z "$work" ]]; then work="$(mktemp -d "${TMPDIR:-/tmp}/autodiff-transfer.XXXXXX")"; fi
mkdir -p "$work"
work="$(cd "$work" && pwd)"
[[ $keep -eq 1 ]] || trap 'rm -rf "$work"' EXIT
export NUGET_PACKAGES="$work/packages"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1 MSBUILDDISABLENODEREUSE=1

echo "Packing the SDK into $work/feed ..." >&2
rm -rf "$work/feed" "$work/packages" "$work/samples"
if ! dotnet pack "$root/sdk/Autodiff.Sdk" -c Release -o "$work/feed" --artifacts-path "$work/artifacts" \
        -nodeReuse:false --disable-build-servers >"$work/pack.log" 2>&1; then
    tail -n 30 "$work/pack.log" >&2
    echo "run.sh: dotnet pack failed (log: $work/pack.log)" >&2
    exit 1
fi
package="$(cd "$work/feed" && ls Autodiff.Sdk.*.nupkg | head -n 1)"
version="${package#Autodiff.Sdk.}"; version="${version%.nupkg}"

# The samples as a firmware repository of their own, on the packed SDK (sources only, no build output).
samples="$work/samples"
mkdir -p "$samples"
for sample in transfer mnist; do
    (cd "$root/samples/$sample" && find . -path ./obj -prune -o -path ./bin -prune -o -path '*/obj' -prune -o -path '*/bin' -prune -o -type f -print) |
        while read -r f; do mkdir -p "$samples/$sample/$(dirname "$f")"; cp "$root/samples/$sample/$f" "$samples/$sample/$f"; done
done
cat >"$samples/global.json" <<EOF2
{ "msbuild-sdks": { "Autodiff.Sdk": "$version" } }
EOF2
cat >"$samples/nuget.config" <<EOF2
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="autodiff-bench" value="$work/feed" />
  </packageSources>
</configuration>
EOF2
echo "<Project />" >"$samples/Directory.Build.props"

# sum_symbols ELF REGEX -> total size of the symbols whose names match
sum_symbols() {
    arm-none-eabi-nm -S "$1" | awk -v re="$2" 'NF == 4 && $4 ~ re { s += strtonum("0x" $2) } END { print s + 0 }'
}

# accuracy DATA BOARD VARIANT EXTRA_PROPS... -> prints the accuracy line, keeps the image and log
accuracy() {
    local d="$1" b="$2" variant="$3"; shift 3
    local log="$work/logs/run-$d-$b-$variant.log"
    mkdir -p "$work/logs" "$work/images"
    if ! dotnet build "$samples/transfer/Transfer.proj" -c Release -p:Board="$b" -p:TransferData="$d" "$@" -t:Run \
            -nodeReuse:false --disable-build-servers >"$log" 2>&1; then
        echo "FAIL (log: $log)"; return
    fi
    cp "$samples/transfer/bin/Release/$b/Transfer.elf" "$work/images/$d-$b-$variant.elf"
    sed -n 's/^ *accuracy: \(.*\)$/\1/p' "$log" | head -n 1
}

# count DATA BOARD VARIANT KERNELS QUANTIZE -> "instructions cycles" per forward pass (cycles estimated
# by bench/qemu-insn-count/estimate-cycles.sh for the board's core), or FAIL
count() {
    local d="$1" b="$2" variant="$3" kernels="$4" quantize="$5"
    local dir="$work/bench/$d-$b-$variant"
    rm -rf "$dir"; mkdir -p "$dir"
    cp "$here/bench_predict.c" "$dir/"
    cat >"$dir/Bench.proj" <<PROJ
<Project Sdk="Autodiff.Sdk">
  <Import Project="$samples/transfer/TransferData.props" />
  <PropertyGroup>
    <AutodiffDefines>\$(AutodiffDefines);AD_BENCH_STEPS=$steps;AD_BENCH_WARMUP=2</AutodiffDefines>
  </PropertyGroup>
  <ItemGroup>
    <CCompile Include="bench_predict.c" />
  </ItemGroup>
</Project>
PROJ
    cp "$samples/global.json" "$samples/nuget.config" "$dir/"
    if ! dotnet build "$dir/Bench.proj" -c Release -p:Board="$b" -p:TransferData="$d" -p:AutodiffKernels="$kernels" \
            -p:AutodiffQuantize="$quantize" -nodeReuse:false --disable-build-servers >"$dir/build.log" 2>&1; then
        echo "FAIL build (log: $dir/build.log)"; return
    fi
    local board_file="$root/sdk/Autodiff.Sdk/boards/$b/board.yaml" machine
    machine="$(awk '$1 == "qemu:" { print $2; exit }' "$board_file")"
    INSNCOUNT_HIST="$dir/hist.txt" "$root/bench/qemu-insn-count/count.sh" "$dir/bin/Release/$b/Bench.elf" "$machine" 600 >"$dir/run.log" 2>&1 || {
        echo "FAIL run (log: $dir/run.log)"; return; }
    local windows insn
    windows="$(sed -n 's/^insn-count: windows=\([0-9]*\) .*/\1/p' "$dir/run.log")"
    insn="$(sed -n 's/^insn-count: .* instructions=\([0-9]*\) .*/\1/p' "$dir/run.log")"
    [[ "$windows" == "$steps" && -n "$insn" ]] || { echo "FAIL count (log: $dir/run.log)"; return; }
    local core=m4 cycles
    [[ "$(awk '$1 == "cpu:" { print $2; exit }' "$board_file")" == cortex-m55 ]] && core=m55
    "$root/bench/qemu-insn-count/estimate-cycles.sh" "$dir/bin/Release/$b/Bench.elf" "$dir/hist.txt" --core "$core" >"$dir/estimate.txt" 2>&1
    cycles="$(sed -n 's/^est-cycles: total .* cycles=\([0-9]*\).*/\1/p' "$dir/estimate.txt")"
    echo "$((insn / steps)) $([[ -n "$cycles" ]] && echo $((cycles / steps)) || echo '?')"
    grep -o 'kernel families: .*' "$dir/build.log" | head -n 1 >"$dir/kernels.txt"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a ~ /^[0-9]+$/ && b ~ /^[0-9]+$/ && b > 0) printf "%.3f", a / b; else printf "-" }'; }

for d in $data_sets; do
    for b in $boards; do
        echo "== $d on $b" 
        echo "Fine-tuning with the int8 backbone ..." >&2
        acc_int8="$(accuracy "$d" "$b" int8)"
        echo "Fine-tuning with the float32 backbone ..." >&2
        acc_float="$(accuracy "$d" "$b" float -p:AutodiffQuantize=false)"
        echo "accuracy, int8 backbone:    $acc_int8"
        echo "accuracy, float32 backbone: $acc_float"
        p_int8="$(sed -n 's/^ *accuracy: \([0-9.]*\)%.*/\1/p' "$work/logs/run-$d-$b-int8.log" | head -n 1)"
        p_float="$(sed -n 's/^ *accuracy: \([0-9.]*\)%.*/\1/p' "$work/logs/run-$d-$b-float.log" | head -n 1)"
        [[ -n "$p_int8" && -n "$p_float" ]] &&
            echo "accuracy difference: $(awk -v a="$p_int8" -v b="$p_float" 'BEGIN { printf "%+.1f", a - b }') percentage points (int8 - float32)"

        if [[ -f "$work/images/$d-$b-int8.elf" && -f "$work/images/$d-$b-float.elf" ]]; then
            f_int8="$(sum_symbols "$work/images/$d-$b-int8.elf" '^transfer_n[0-9]+_')"
            f_float="$(sum_symbols "$work/images/$d-$b-float.elf" '^transfer_frozen_[0-9]+$')"
            echo "backbone flash: int8 $f_int8 B, float32 $f_float B, ratio $(ratio "$f_int8" "$f_float")"
            # The device model's line is the last: pretraining's host model comes first.
            grep -o 'flash tables .*' "$work/logs/run-$d-$b-int8.log" | tail -n 1 | sed 's/^/  engine, int8:    /'
            grep -o 'flash tables .*' "$work/logs/run-$d-$b-float.log" | tail -n 1 | sed 's/^/  engine, float32: /'
        fi

        echo "Counting forward passes ..." >&2
        read -r i_int8 c_int8 <<<"$(count "$d" "$b" int8 auto true)"
        read -r i_float c_float <<<"$(count "$d" "$b" float portable false)"
        read -r i_cmsis c_cmsis <<<"$(count "$d" "$b" int8-cmsis cmsis true)"
        echo "forward pass (transfer_predict), instructions: int8 auto $i_int8, float32 portable $i_float, ratio $(ratio "$i_int8" "$i_float")"
        echo "forward pass, estimated cycles: int8 auto $c_int8, float32 portable $c_float, ratio $(ratio "$c_int8" "$c_float")"
        echo "  int8 with AutodiffKernels=cmsis (CMSIS-NN): instructions $i_cmsis (ratio $(ratio "$i_cmsis" "$i_float")), estimated cycles $c_cmsis (ratio $(ratio "$c_cmsis" "$c_float"))"
        for v in int8 int8-cmsis float; do
            [[ -f "$work/bench/$d-$b-$v/kernels.txt" ]] && sed "s/^/  $v: /" "$work/bench/$d-$b-$v/kernels.txt"
        done
    done
done
if [[ -z "${CMSIS_NN_ROOT:-}" ]]; then
    echo "note: CMSIS_NN_ROOT is not set, so the int8 rows ran the portable C, not CMSIS-NN"
fi
[[ $keep -eq 1 ]] && echo "logs, images and bench projects kept in $work"
exit 0
