#!/usr/bin/env bash
# Runs every test project of the solution and ends with one line: "N passed, N failed, N skipped".
# Extra arguments go to `dotnet test` (e.g. --filter).
set -uo pipefail
cd "$(dirname "$0")"

log=$(mktemp)
trap 'rm -f "$log"' EXIT
dotnet test Autodiff.sln -c Release --nologo "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# One summary line per test project: "Passed!  - Failed: 0, Passed: 9, Skipped: 0, Total: 9, ..."
count() { grep -E '^(Passed|Failed)! +- ' "$log" | grep -Eo "$1: +[0-9]+" | awk '{ n += $2 } END { print n + 0 }'; }
passed=$(count Passed)
failed=$(count Failed)
skipped=$(count Skipped)
# A project that does not build, or a test host that crashes, reports no count of its own.
if [ "$status" -ne 0 ] && { [ "$failed" -eq 0 ] || grep -Eq ': error (CS|MSB|NU)[0-9]+' "$log"; }; then
    failed=$((failed + 1))
fi
# A skip says why on its own line ("[SKIP]" with the reason); list them so a skip is never silent.
grep -E '^\s+Skipped ' "$log" | sed 's/^\s*/skipped: /' || true
echo "$passed passed, $failed failed, $skipped skipped"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
