#!/usr/bin/env bash
# Runs every test project of the solution and ends with one line: "N passed, N failed, N skipped".
# Extra arguments go to `dotnet test` (e.g. --filter).
set -uo pipefail
cd "$(dirname "$0")"

log=$(mktemp)
work=$(mktemp -d)
trap 'rm -rf "$log" "$work"' EXIT

# Build once, then run the test projects side by side, each into its own log, so a long project
# (the SDK's end-to-end tests) does not hide the others: a line when each starts and ends, and every
# minute which are still running, for how long, and how many of their tests failed so far.
dotnet build Autodiff.sln -c Release --nologo -v:q 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
if [ "$status" -eq 0 ]; then
    projects=$(find tests -name '*.Tests.csproj' | sort)
    start=$SECONDS
    for project in $projects; do
        name=$(basename "$project" .csproj)
        echo "test: $name started"
        ( dotnet test "$project" -c Release --nologo --no-build "$@" >"$work/$name.log" 2>&1; echo $? >"$work/$name.rc" ) &
    done
    pending=$projects
    while [ -n "$pending" ]; do
        sleep 5
        still=""
        for project in $pending; do
            name=$(basename "$project" .csproj)
            if [ -f "$work/$name.rc" ]; then
                cat "$work/$name.log" >>"$log"
                summary=$(grep -E '^(Passed|Failed)! +- ' "$work/$name.log" | tail -1 | sed -E 's/ +- [^ ]+\.dll.*$//')
                echo "test: $name finished after $(( (SECONDS - start) / 60 )) min: ${summary:-no summary (see the output above)}"
                [ "$(cat "$work/$name.rc")" -eq 0 ] || { status=1; cat "$work/$name.log"; }
            else
                still="$still $project"
            fi
        done
        pending=$still
        if [ -n "$pending" ] && [ $(( (SECONDS - start) % 60 )) -lt 5 ]; then
            for project in $pending; do
                name=$(basename "$project" .csproj)
                echo "test: $name still running ($(( (SECONDS - start) / 60 )) min, $(grep -cE '^\s+Failed ' "$work/$name.log") failed so far)"
            done
        fi
    done
fi

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
