#!/usr/bin/env bash
# Build the instruction-counting QEMU plugin.
# Usage: build.sh [OUTDIR]   (default: $INSNCOUNT_BUILD_DIR, else a per-user temp dir)
# Prints the path of the built libinsncount.so. Rebuilds only when the source is newer.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:-${INSNCOUNT_BUILD_DIR:-${TMPDIR:-/tmp}/insncount-$(id -u)}}"
mkdir -p "$out"
lib="$out/libinsncount.so"
src="$here/insn_count.c"
if [[ ! -f "$lib" || "$src" -nt "$lib" || "${BASH_SOURCE[0]}" -nt "$lib" ]]; then
    "${CC:-gcc}" -shared -fPIC -O2 -fvisibility=hidden -Wall -Wextra -std=gnu11 \
        -o "$lib.tmp.$$" "$src"
    mv -f "$lib.tmp.$$" "$lib"
fi
echo "$lib"
