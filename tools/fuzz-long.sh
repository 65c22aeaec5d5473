#!/bin/bash
# The long fuzzing runs of issue 7 (not part of `make check`, which runs
# 20 s of each): every libFuzzer target for SECONDS (default 600) on a copy
# of its seed corpus, all targets side by side, inside the build root:
#   tools/in-buildroot.sh tools/fuzz-long.sh [SECONDS]    (or: make fuzz)
# Prints one Markdown row per target (executions, corpus growth, peak RSS,
# result); docs/SECURITY.md records the last run.  A crash fails the run
# and its input is kept in build-fuzz/tests/fuzz/artifacts-NAME/.
set -uo pipefail

cd "$(dirname "$0")/.."
seconds=${1:-600}
dir=build-fuzz

if [ -d "$dir" ]; then
    meson setup --reconfigure "$dir" -Dwerror=true -Dfuzzers=true -Db_lundef=false >/dev/null
else
    CC=clang meson setup "$dir" -Dwerror=true -Dfuzzers=true -Db_lundef=false >/dev/null
fi || exit 1
meson compile -C "$dir" >/dev/null || exit 1

targets=$(sed -n "s/^ *\['\([a-z-]*\)',$/\1/p" tests/fuzz/meson.build)
logs=$dir/fuzz-long
rm -rf "$logs"
mkdir -p "$logs"
started=$(date -u '+%Y-%m-%d %H:%M UTC')
for t in $targets; do
    tests/fuzz/run-smoke.sh "$dir/tests/fuzz/fuzz-$t" "tests/fuzz/corpus/$t" \
        "$dir/tests/fuzz/artifacts-$t" "$seconds" >"$logs/$t.log" 2>&1 &
    echo "$! $t" >>"$logs/pids"
done

rc=0
echo "Long fuzzing run: $seconds s per target, all side by side, started $started on $(nproc) cores"
echo
echo "| target | executions | per second | seed inputs | corpus after | edges covered | peak RSS | result |"
echo "|---|---|---|---|---|---|---|---|"
while read -r pid t; do
    wait "$pid"; status=$?
    log=$logs/$t.log
    stat() { sed -n "s/^stat::$1: *//p" "$log" | tail -n 1; }
    execs=$(stat number_of_executed_units)
    seeds=$(find "tests/fuzz/corpus/$t" -type f | wc -l)
    # libFuzzer's last status line: "#N DONE cov: C ft: F corp: K/SIZE ..."
    done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1)
    corp=$(sed -n 's/.* corp: \([0-9]*\)\/.*/\1/p' <<<"$done_line")
    cov=$(sed -n 's/.* cov: \([0-9]*\) .*/\1/p' <<<"$done_line")
    result=clean
    if [ "$status" -ne 0 ]; then
        result="FAILED (exit $status, see $log)"
        rc=1
    fi
    echo "| $t | ${execs:-?} | $(stat average_exec_per_sec) | $seeds | ${corp:-?} | ${cov:-?} | $(stat peak_rss_mb) MB | $result |"
done <"$logs/pids"
exit $rc
