#!/bin/bash
# The whole test suite, run inside the build root by `make check`:
#   build/       gcc, -Werror: unit and integration tests and the VM
#                scenario (suite vm, image from tools/mkvm.sh), then the
#                daemon's integration suites again with hotkeyd under valgrind
#   build-asan/  gcc, ASan+UBSan: unit and integration tests (not the VM:
#                the guest runs its own, uninstrumented build; not the
#                Debian packages, which build from the source with their own
#                flags: suite package runs in build/)
#   build-fuzz/  clang, libFuzzer: short fuzzing runs of every target
# Every build runs even when an earlier one failed, so the summary counts all.
set -uo pipefail

cd "$(dirname "$0")/.."

rc=0
logs=()

run_build() {
    local dir=$1; shift
    local suites=$1; shift
    logs+=("$dir/meson-logs/testlog.json")
    rm -f "$dir/meson-logs/testlog.json"

    echo "== $dir: configure and build"
    if [ -d "$dir" ]; then
        meson setup --reconfigure "$dir" "$@" >/dev/null || meson setup --wipe "$dir" "$@" >/dev/null
    else
        meson setup "$dir" "$@" >/dev/null
    fi || { echo "$dir: meson setup failed"; rc=1; return; }
    meson compile -C "$dir" || { echo "$dir: build failed"; rc=1; return; }

    echo "== $dir: tests"
    # shellcheck disable=SC2086
    meson test -C "$dir" --print-errorlogs --num-processes 2 $suites || rc=1
}

run_build build "" -Dwerror=true

# The daemon under valgrind memcheck in the integration suites that drive
# it through its whole request path: any memory error or definite leak
# makes its exit status 99, which every test checks.  (hotkeyctl's and the
# input suite's timing tests would only measure valgrind's slowness.)
logs+=("build/meson-logs/valgrind.json")
rm -f build/meson-logs/valgrind.json
if [ -d build/meson-logs ]; then
    echo "== build: daemon under valgrind"
    HOTKEYD_VALGRIND=1 meson test -C build --print-errorlogs --num-processes 2 --logbase valgrind \
        --suite request --suite agent --suite logind --suite erase || rc=1
fi
# umockdev's preload comes before the ASan runtime in the library list.
ASAN_OPTIONS=verify_asan_link_order=0:detect_leaks=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    run_build build-asan "--no-suite vm --no-suite package" -Dwerror=true -Db_sanitize=address,undefined -Db_lundef=false
CC=clang run_build build-fuzz "--suite fuzz" -Dwerror=true -Dfuzzers=true -Db_lundef=false

echo "== summary"
python3 tools/test-summary.py "${logs[@]}" || rc=1
exit $rc
