# The two commands a fresh Debian machine needs (run as root):
#   make demo   build, then show hotkeyd recognising an emulated 6 s power-key hold
#   make check  build root if needed, build, whole test suite
# Both run inside the Debian testing build root (tools/mkbuildroot.sh).

.PHONY: demo check buildroot

demo:
	tools/in-buildroot.sh tools/demo.sh

check:
	tools/in-buildroot.sh tools/check.sh

buildroot:
	tools/mkbuildroot.sh
