#!/bin/bash
# `make demo`, inside the build root: build hotkeyd, then run it in dry-run
# mode with the shipped configuration against an emulated power button that
# is held for 6 s.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d build ]; then
    meson setup build >/dev/null
fi
meson compile -C build hotkeyd/hotkeyd >/dev/null

HOTKEYD=$PWD/build/hotkeyd/hotkeyd PYTHONPATH=$PWD/tests/integration PYTHONDONTWRITEBYTECODE=1 \
    exec umockdev-wrapper python3 tools/demo.py data/hotkeyd.conf
