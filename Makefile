# The two commands a fresh Debian machine needs (run as root):
#   make demo   build, then show hotkeyd recognising an emulated 6 s power-key hold
#   make check  build root if needed, build, whole test suite
#   make vm     the whole-system VM scenario alone (not yet part of check)
#   make fuzz   the long fuzzing runs (10 minutes per target), not part of check
#   make bench  benchmarks against the peers in the VM -> bench/RESULTS.md (not part of check)
# All run inside the Debian testing build root (tools/mkbuildroot.sh); the
# VM image is made on the host first (tools/mkvm.sh: its guest root is a
# second mmdebstrap root, bind-mounted into the build root for the image).

.PHONY: demo check buildroot vm fuzz bench

demo:
	tools/in-buildroot.sh tools/demo.sh

check:
	tools/in-buildroot.sh tools/check.sh

vm:
	tools/mkvm.sh
	tools/in-buildroot.sh python3 tests/vm/run.py

fuzz:
	tools/in-buildroot.sh tools/fuzz-long.sh

bench:
	tools/mkvm.sh
	HOTKEYD_BENCH_COMMAND="make bench" tools/in-buildroot.sh python3 bench/run.py

buildroot:
	tools/mkbuildroot.sh
