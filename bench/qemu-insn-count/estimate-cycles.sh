#!/usr/bin/env bash
# Estimate Cortex-M4 or Cortex-M55 cycles from the plugin's per-PC histogram (count.sh with
# INSNCOUNT_HIST=FILE).
#
# Usage: estimate-cycles.sh ELF HISTOGRAM [--classes] [--pcs] [--core m4|m55]
#
# Disassembles ELF with arm-none-eabi-objdump -d, gives every executed PC its mnemonic and
# operands, and applies the instruction timings of the core below (default m4: the Cortex-M4 TRM
# r0p1 timings). Prints, per phase
# (forward, backward, update) and in total,
#   est-cycles: phase=forward instructions=N cycles=C
#   ...
#   est-cycles: total instructions=N cycles=C unknown=U
# (U: executed instructions whose PC is not in the disassembly; they are estimated at 1 cycle).
# --classes adds one line per phase and instruction class:
#   est-class: phase=P class=K instructions=N cycles=C
# --pcs adds one line per phase and executed PC (unsorted; pipe through sort):
#   est-pc: phase=P pc=0xADDR count=N fallthrough=F cycles=C class=K insn=MNEMONIC OPERANDS
# The figures are estimates: no wait states, no bus contention, no pipeline effects beyond
# those listed.
#
# Timings (cycles per execution):
#   branches B, B<cond>, BL, BX, BLX, CBZ, CBNZ: 1, plus 2 when taken. An execution is taken
#     when the next executed instruction is not the one at PC + size (the plugin's
#     FALLTHROUGH column), so unconditional branches are always taken.
#   any other instruction that writes PC (POP/LDM {..,pc}, LDR pc, MOV/ADD pc): its cost plus 2
#     when taken, as a branch
#   TBB, TBH: 6;  SDIV, UDIV: 7;  LDRD, STRD: 3
#   LDR*/STR*/VLDR/VSTR (single load/store, LDREX/STREX included): 2, or 1 when the previous
#     executed instruction was a single load/store. This is exact, not approximated: the previous
#     executed instruction is the one before it in program order exactly when that one fell
#     through to it (its FALLTHROUGH count, in the same phase); any other arrival comes from a
#     branch, an instruction that writes PC or an exception entry, none of them a single
#     load/store that does not write PC.
#   LDM/STM/PUSH/POP/VLDM/VSTM/VPUSH/VPOP: 1 + N, N the 32-bit words transferred (a D register
#     counts 2, as the TRM's VLDM/VPUSH .64 "1+2*N")
#   VMLA, VMLS, VNMLA, VNMLS, VFMA, VFMS, VFNMA, VFNMS: 3;  VDIV, VSQRT: 14
#   VMOV between two core registers and a D register or two S registers: 2
#   everything else (ALU, MOV, shifts, compare, IT, extend, bitfield, NOP, MUL/MLA/SMULL/UMLAL
#   and the DSP multiplies, other VFP instructions): 1
# Instructions whose condition fails inside an IT block are costed as if executed.
#
# --core m55: a simpler table for the Cortex-M55 (Armv8.1-M, 4-stage pipeline, 64-bit data
# interface, Helium executed in two 64-bit beats per 128-bit vector instruction). Arm publishes no
# cycle table for it like the M4 TRM's, so these are stated estimates, without the overlap of
# vector instructions of different kinds the core can do (so vector code is over- rather than
# under-estimated):
#   MVE gathers and scatters (VLDR/VSTR with a q register in the address): 4 (one word per cycle)
#   other MVE instructions (any with a q register operand, VCTP, VPST/VPT, VADDV/VMLADAV and the other
#     across-vector reductions included): 2 (two beats)
#   low-overhead loops DLS, WLS, DLSTP, WLSTP: 1;  LE, LETP, LCTP: 1 (no taken-branch penalty)
#   branches as on the M4: 1, plus 2 when taken; other PC writes likewise
#   LDR*/STR*/VLDR/VSTR single: 1;  LDRD/STRD: 1;  LDM/STM/PUSH/POP/VLDM/VSTM/VPUSH/VPOP:
#     1 + ceil(N/2) for N 32-bit words (two words per cycle)
#   scalar VFMA/VMLA and the other FP multiply-accumulates: 1 (pipelined);  VDIV, VSQRT: 16
#   SDIV, UDIV: 7;  TBB, TBH: 4;  everything else: 1
set -euo pipefail

die() { echo "estimate-cycles.sh: $*" >&2; exit 2; }
[[ $# -ge 2 ]] || die "usage: estimate-cycles.sh ELF HISTOGRAM [--classes] [--pcs]"
elf="$1"; hist="$2"; shift 2
classes=0
pcs=0
core=m4
args=()
while [[ $# -gt 0 ]]; do
    if [[ "$1" == --core && $# -ge 2 ]]; then args+=("--core=$2"); shift 2; else args+=("$1"); shift; fi
done
for a in "${args[@]}"; do
    case "$a" in
        --classes) classes=1 ;;
        --pcs) pcs=1 ;;
        --core) die "--core takes a value: --core m4 or --core m55" ;;
        --core=*) core="${a#--core=}" ;;
        *) die "unknown argument '$a'" ;;
    esac
done
[[ "$core" == m4 || "$core" == m55 ]] || die "unknown core '$core' (m4 or m55)"
[[ -f "$elf" ]] || die "no such file: $elf"
[[ -f "$hist" ]] || die "no such file: $hist"
objdump="${ARM_OBJDUMP:-arm-none-eabi-objdump}"
command -v "$objdump" >/dev/null || die "$objdump not found (Debian/Ubuntu: apt-get install binutils-arm-none-eabi)"

# objdump needs the architecture named to decode Helium (it prints MVE instructions as ldc/cdp otherwise).
disassemble=(-d)
[[ "$core" == m55 ]] && disassemble=(-d -m armv8.1-m.main)
"$objdump" "${disassemble[@]}" "$elf" | awk -F"\t" -v classes="$classes" -v pcs="$pcs" -v core="$core" '
function hex2dec(h,    i, n, c) {
    h = tolower(h); n = 0
    for (i = 1; i <= length(h); i++) {
        c = index("0123456789abcdef", substr(h, i, 1)) - 1
        if (c < 0) return -1
        n = n * 16 + c
    }
    return n
}
function key(h) {            # "0x080001c0" / "80001c0" -> "80001c0"
    h = tolower(h); sub(/^0x/, "", h); sub(/^0+/, "", h)
    return h == "" ? "0" : h
}
function trim(s) { gsub(/^[ \t]+|[ \t]+$/, "", s); return s }
# Registers in a {..} list, as 32-bit words; sets haspc.
function reglist(ops,    s, n, parts, i, r, a, b, w) {
    haspc = 0
    if (!match(ops, /\{[^}]*\}/)) return 1
    s = substr(ops, RSTART + 1, RLENGTH - 2)
    n = split(s, parts, ",")
    w = 0
    for (i = 1; i <= n; i++) {
        r = trim(parts[i])
        if (r == "pc") haspc = 1
        if (index(r, "-")) {
            a = r; sub(/-.*/, "", a); b = r; sub(/.*-/, "", b)
            a = substr(a, 2) + 0; b = substr(b, 2) + 0
            w += (b - a + 1) * (substr(r, 1, 1) == "d" ? 2 : 1)
        } else {
            w += (substr(r, 1, 1) == "d" ? 2 : 1)
        }
    }
    return w
}
# Cortex-M55 (--core m55): sets cls, base, pcw; single stays 0 (no load pairing).
function classify_m55(m, ops,    b, first, w) {
    b = tolower(m); sub(/\..*$/, "", b)
    first = trim(ops); sub(/,.*/, "", first)
    single = 0; pcw = (first == "pc")
    if (b ~ /^(dls|wls|dlstp|wlstp)$/) { cls = "low-overhead loop"; base = 1; pcw = 0; return }
    if (b ~ /^(le|letp|lctp)$/) { cls = "low-overhead loop"; base = 1; pcw = 0; return }
    if (b ~ /^v(ldr|str)/ && ops ~ /\[[^\]]*q[0-7]/) { cls = "mve gather/scatter"; base = 4; return }
    if (b ~ /^v/ && (ops ~ /(^|[^a-z0-9_])q[0-7]([^0-9]|$)/ || b ~ /^(vctp|vpst|vpt|vpsel|vpnot)/)) {
        cls = "mve vector"; base = 2; return
    }
    if (b ~ ("^(b|bl|bx|blx)" CC "?$") || b ~ /^cbn?z$/) { cls = "branch"; base = 1; pcw = 1; return }
    if (b ~ /^tb[bh]/) { cls = "tbb/tbh"; base = 4; pcw = 0; return }
    if (b ~ /^[su]div/) { cls = "divide"; base = 7; return }
    if (b ~ /^(ldrd|strd)/) { cls = "ldrd/strd"; base = 1; return }
    if (b ~ /^(ldm|stm|push|pop|vldm|vstm|vpush|vpop)/) {
        w = reglist(ops); cls = "load/store multiple"; base = 1 + int((w + 1) / 2); pcw = haspc; return
    }
    if (b ~ /^(ldr|str|vldr|vstr)/) { cls = "load/store"; base = 1; return }
    if (b ~ /^(vmla|vmls|vnmla|vnmls|vfma|vfms|vfnma|vfnms)/) { cls = "fp multiply-accumulate"; base = 1; return }
    if (b ~ /^(vdiv|vsqrt)/) { cls = "fp divide/sqrt"; base = 16; return }
    if (b ~ /^v/) { cls = "fp other"; base = 1; return }
    if (b ~ /^it[te]*$/) { cls = "it"; base = 1; return }
    cls = "alu/other"; base = 1
}
# Sets cls, base, single (single load/store), pcw (writes PC: +2 when taken).
function classify(m, ops,    b, first, n, parts) {
    if (core == "m55") { classify_m55(m, ops); return }
    b = tolower(m); sub(/\..*$/, "", b)
    first = trim(ops); sub(/,.*/, "", first)
    single = 0; pcw = (first == "pc")
    if (b ~ ("^(b|bl|bx|blx)" CC "?$") || b ~ /^cbn?z$/) { cls = "branch"; base = 1; pcw = 1; return }
    if (b ~ /^tb[bh]/) { cls = "tbb/tbh"; base = 6; pcw = 0; return }
    if (b ~ /^[su]div/) { cls = "divide"; base = 7; return }
    if (b ~ /^(ldrd|strd)/) { cls = "ldrd/strd"; base = 3; return }
    if (b ~ /^(ldm|stm|push|pop|vldm|vstm|vpush|vpop)/) {
        cls = "load/store multiple"; base = 1 + reglist(ops); pcw = haspc; return
    }
    if (b ~ /^(ldr|str|vldr|vstr)/) { cls = "load/store"; base = 2; single = 1; return }
    if (b ~ /^(vmla|vmls|vnmla|vnmls|vfma|vfms|vfnma|vfnms)/) { cls = "fp multiply-accumulate"; base = 3; return }
    if (b ~ /^(vdiv|vsqrt)/) { cls = "fp divide/sqrt"; base = 14; return }
    if (b ~ /^vmov/) {
        n = split(ops, parts, ",")
        if (n >= 4 || (n == 3 && ops ~ /(^|[ ,])d[0-9]/)) { cls = "fp move core pair"; base = 2; return }
        cls = "fp other"; base = 1; return
    }
    if (b ~ /^v/) { cls = "fp other"; base = 1; return }
    if (b ~ /^(mul|mla|mls|smull|umull|smlal|umlal|smla|smls|smul|smua|smus|smmul|smmla|smmls|umaal)/) {
        cls = "multiply"; base = 1; return
    }
    if (b ~ /^it[te]*$/) { cls = "it"; base = 1; return }
    cls = "alu/other"; base = 1
}
BEGIN {
    CC = "(eq|ne|cs|hs|cc|lo|mi|pl|vs|vc|hi|ls|ge|lt|gt|le|al)"
    nph = split("forward backward update", phases, " ")
    prevaddr = -10; prevkey = ""
}
# Disassembly (stdin, "-"): " 80001c0:\t4770      \tbx\tlr"
FILENAME == "-" {
    # other lines (symbol headers, "...") do not break the chain: contiguity is checked below
    if ($0 !~ /^ *[0-9a-f]+:\t/ || NF < 3) next
    a = $1; sub(/:.*/, "", a); a = trim(a)
    k = key(a); addr = hex2dec(a)
    raw = $2; gsub(/[^0-9a-fA-F]/, "", raw)
    size = length(raw) / 2
    mn = trim($3)
    if (mn ~ /^\./ || mn == "") { prevaddr = -10; next }     # .word, .short: data
    ops = (NF >= 4 ? $4 : "")
    classify(mn, ops)
    icls[k] = cls; ibase[k] = base; isingle[k] = single; ipcw[k] = pcw
    imn[k] = mn; iops[k] = ops
    if (prevaddr >= 0 && prevaddr + prevsize == addr) pred[k] = prevkey
    prevaddr = addr; prevsize = size; prevkey = k
    next
}
# Histogram: PHASE PC SIZE COUNT FALLTHROUGH
{
    if ($0 ~ /^#/ || $0 == "") next
    split($0, f, " ")
    k = key(f[2])
    cnt[f[1], k] = f[4]; fall[f[1], k] = f[5]
    seen[k] = 1
}
END {
    total_i = 0; total_c = 0; unknown = 0
    for (p = 1; p <= nph; p++) { pi[phases[p]] = 0; pc_[phases[p]] = 0 }
    for (ck in cnt) {
        split(ck, parts, SUBSEP); ph = parts[1]; k = parts[2]
        c = cnt[ck] + 0; ft = fall[ck] + 0
        if (!(k in icls)) {
            unknown += c; cy = c; cl = "unknown"
        } else {
            cl = icls[k]
            cy = ibase[k] * c
            if (isingle[k] && (k in pred) && isingle[pred[k]]) {
                pl = fall[ph, pred[k]] + 0
                if (pl > c) pl = c
                cy -= pl
            }
            if (ipcw[k]) cy += 2 * (c - ft)
        }
        pi[ph] += c; pc_[ph] += cy
        ci[ph, cl] += c; cc[ph, cl] += cy; clsseen[cl] = 1
        total_i += c; total_c += cy
        if (pcs) printf "est-pc: phase=%s pc=0x%s count=%.0f fallthrough=%.0f cycles=%.0f class=%s insn=%s\n", ph, k, c, ft, cy, cl, (k in imn ? imn[k] " " iops[k] : "?")
    }
    for (p = 1; p <= nph; p++) {
        ph = phases[p]
        printf "est-cycles: phase=%s instructions=%.0f cycles=%.0f\n", ph, pi[ph], pc_[ph]
    }
    printf "est-cycles: total instructions=%.0f cycles=%.0f unknown=%.0f\n", total_i, total_c, unknown
    if (classes) {
        for (p = 1; p <= nph; p++) {
            ph = phases[p]
            for (cl in clsseen)
                if ((ph, cl) in ci)
                    printf "est-class: phase=%s class=%s instructions=%.0f cycles=%.0f\n", ph, cl, ci[ph, cl], cc[ph, cl]
        }
    }
}
' - "$hist"
