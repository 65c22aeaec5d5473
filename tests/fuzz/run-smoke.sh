#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Runs a libFuzzer binary for a short while on a copy of its seed corpus, so
# the source tree is never written.  Crash inputs land in ARTIFACT_DIR.
#
#   run-smoke.sh FUZZER CORPUS_DIR ARTIFACT_DIR SECONDS
set -eu

fuzzer=$1 corpus=$2 artifacts=$3 seconds=$4

tmp=$(mktemp -d "${TMPDIR:-/tmp}/hotkeyd-fuzz.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cp -R "$corpus/." "$tmp/"
mkdir -p "$artifacts"

# -timeout: one input taking a second is a hang for a parser of small files.
# -error_exitcode/-timeout_exitcode: libFuzzer's default for a crash is 77,
# which meson counts as a skipped test, not a failed one.
"$fuzzer" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 \
        -error_exitcode=1 -timeout_exitcode=1 \
        -print_final_stats=1 -artifact_prefix="$artifacts/" "$tmp"
