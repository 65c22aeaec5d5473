# The two commands a fresh Debian machine needs (run as root):
#   make demo   the whole-system VM scenario, headless: a QEMU VM factory-reset
#               by a held power key; prints where its screenshots and logs are
#   make check  build roots if needed, VM image, build, whole test suite
# and more:
#   make vm          the same scenario as make demo (its test-suite name)
#   make demo-input  quick: hotkeyd --dry-run against an emulated 6 s hold
#   make fuzz   the long fuzzing runs (10 minutes per target), not part of check
#   make bench  benchmarks against the peers in the VM -> bench/RESULTS.md (not part of check)
# All run inside the Debian testing build root (tools/mkbuildroot.sh); the
# VM image is made by mkosi in it (tools/mkvm.sh, configuration in mkosi/).

.PHONY: demo demo-input check buildroot vm fuzz bench

demo: vm

demo-input:
	tools/in-buildroot.sh tools/demo.sh

# Without an image the vm suite fails (it is never skipped); the rest of the
# suite still runs, so the summary counts everything.
check:
	tools/mkvm.sh || echo "make check: the VM image could not be made; suite vm will fail" >&2
	tools/in-buildroot.sh tools/check.sh

vm:
	tools/mkvm.sh
	tools/in-buildroot.sh python3 tests/vm/run.py

fuzz:
	tools/in-buildroot.sh tools/fuzz-long.sh

bench:
	tools/mkvm.sh
	HOTKEYD_BENCH_COMMAND="make bench" HOTKEYD_BENCH_SOURCE="$$(git describe --always --dirty 2>/dev/null)" \
		tools/in-buildroot.sh python3 bench/run.py

buildroot:
	tools/mkbuildroot.sh
