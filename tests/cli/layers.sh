#!/usr/bin/env bash
# The library's layering, read from the objects of this build (tests/layers.py).
. "$(dirname "$0")/lib.inc"
set -u
build=$(dirname "$DVAL")
if $PY "$SRC/tests/layers.py" "$build" "$SRC" >"$T/out" 2>&1; then ok "layers: $(tail -1 "$T/out")"; else bad "layers: $(cat "$T/out")"; fi
# The checker itself must see a violation: a call from util up to methods.
mkdir -p "$T/b/CMakeFiles/dval.dir/src/util" "$T/b/CMakeFiles/dval.dir/src/methods"
printf 'int dv__up(void);\nint f(void) { return dv__up(); }\n' >"$T/u.c"
printf 'int dv__up(void) { return 1; }\n' >"$T/m.c"
cc -c "$T/u.c" -o "$T/b/CMakeFiles/dval.dir/src/util/u.c.o" && cc -c "$T/m.c" -o "$T/b/CMakeFiles/dval.dir/src/methods/m.c.o"
cp "$build/libdval.so" "$T/b/"
if ! $PY "$SRC/tests/layers.py" "$T/b" >"$T/out2" 2>&1 && grep -q "util may not call methods" "$T/out2"; then
    ok "layers: an upward call is reported"; else bad "layers: upward call not reported: $(cat "$T/out2")"; fi
finish
