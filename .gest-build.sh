set -e
F="-std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers -Wshadow -Wmissing-prototypes -Wstrict-prototypes -Wformat=2 -Wimplicit-fallthrough -D_GNU_SOURCE -g -Ihotkeyd/shared -Ihotkeyd/core -Itests/unit"
cc $F -O2 -o /tmp/tg0 tests/unit/test-gesture.c hotkeyd/core/gesture.c 2>&1 | grep -v "no_sanitize_address\|^ .*|\|^ *|" || true
cc $F -fsanitize=address,undefined -fno-sanitize-recover=all -o /tmp/tg tests/unit/test-gesture.c hotkeyd/core/gesture.c 2>&1 | grep -v "no_sanitize_address\|^ .*|\|^ *|" || true
/tmp/tg0 > /dev/null 2>&1 && echo plain-all-ok
pass=0; fail=0
for c in $(/tmp/tg --list); do if /tmp/tg $c >/tmp/out 2>&1; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL $c"; cat /tmp/out | tail -20; fi; done
echo "asan: $pass passed, $fail failed"
