#!/usr/bin/env bash
# make install / cmake --install: into a DESTDIR staging tree, every piece is
# where it belongs and works from there: the command (its libraries and data
# found relative to itself), the versioned shared libraries, the static ones,
# a C program built through pkg-config (shared and static) and a CMake
# project through find_package(dval), each computing the same values as the
# command; the man page renders; the versions agree.
. "$(dirname "$0")/lib.inc"
set -u
if [ -n "${DV_SANITIZED:-}" ]; then
    echo "ok - install: skipped in the sanitizer build (the plain build checks it)"
    finish
    exit
fi
B=$(dirname "$DVAL")
D=$T/dest
P=$D/opt/dv # the prefix, staged under DESTDIR
if DESTDIR=$D cmake --install "$B" --prefix /opt/dv >"$T/inst.log" 2>&1; then ok "cmake --install"; else bad "cmake --install: $(cat "$T/inst.log")"; fi
LIBDIR=$(sed -n 's/^CMAKE_INSTALL_LIBDIR:[A-Z]*=//p' "$B/CMakeCache.txt")
L=$P/${LIBDIR:-lib}
PYDIR=$(sed -n 's/^DV_PYTHON_DIR:[A-Z]*=//p' "$B/CMakeCache.txt")
missing=
for f in bin/dval include/dval.h include/dval_plot.h share/man/man1/dval.1 share/dval/adult_4000.csv.gz \
    ${LIBDIR:-lib}/libdval.a ${LIBDIR:-lib}/libdval_plot.a ${LIBDIR:-lib}/pkgconfig/dval.pc \
    ${LIBDIR:-lib}/pkgconfig/dval_plot.pc ${LIBDIR:-lib}/cmake/dval/dvalConfig.cmake \
    ${LIBDIR:-lib}/cmake/dval/dvalConfigVersion.cmake ${LIBDIR:-lib}/cmake/dval/dvalTargets.cmake \
    $PYDIR/dval/__init__.py $PYDIR/dval/_paths.py; do
    [ -e "$P/$f" ] || missing="$missing $f"
done
[ -z "$missing" ] && ok "install: every file in place" || bad "install: missing$missing"

# the version: dval.h, the command, the library's soname and pkg-config agree
V=$(sed -n 's/^#define DV_VERSION_STRING "\(.*\)"/\1/p' "$SRC/include/dval.h")
MAJMIN=${V%.*}
[ "$("$P/bin/dval" --version)" = "dval $V" ] && ok "installed dval --version is dval.h's $V" || bad "version: $("$P/bin/dval" --version) vs $V"
soname=$(objdump -p "$L/libdval.so.$V" 2>/dev/null | sed -n 's/^ *SONAME *//p')
[ "$soname" = "libdval.so.$MAJMIN" ] && [ "$(readlink "$L/libdval.so")" = "libdval.so.$MAJMIN" ] \
    && [ "$(readlink "$L/libdval.so.$MAJMIN")" = "libdval.so.$V" ] \
    && ok "libdval.so.$V: soname $soname, with its links" || bad "soname: '$soname'"
export PKG_CONFIG_PATH=$L/pkgconfig
[ "$(pkg-config --modversion dval)" = "$V" ] && [ "$(pkg-config --modversion dval_plot)" = "$V" ] \
    && ok "pkg-config --modversion" || bad "pkg-config --modversion: $(pkg-config --modversion dval 2>&1)"

# the installed command finds its libraries and its bundled data from where it is
if (cd "$T" && env -u DVAL_DATA_DIR "$P/bin/dval" demo -o "$T/demo" --samples 10 -q >"$T/demo.out" 2>"$T/demo.err") \
    && grep -q "points of $P/bin/../share/dval/adult_4000.csv.gz" "$T/demo.out"; then
    ok "installed demo runs on the installed data"
else
    bad "installed demo: $(cat "$T/demo.err")"
fi

# a C program: KNN-Shapley values of a synthetic set, written with %.17g
cat > "$T/prog.c" <<'CEOF'
#include <dval.h>
#include <stdio.h>
int main(int argc, char **argv)
{
    if (dv_version_number() != DV_VERSION_NUMBER)
        return 3;
    dv_load_options lo;
    dv_load_options_default(&lo);
    lo.path = argv[1];
    dv_dataset *tr, *va, *te;
    dv_error err = {0};
    if (dv_data_load(&lo, &tr, &va, &te, NULL, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    dv_value_params p;
    dv_value_params_default(&p, DV_METHOD_KNN);
    double v[4096];
    dv_value_info info;
    if (dv_value_compute(tr, va, &p, v, NULL, &info, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    for (size_t i = 0; i < dv_dataset_rows(tr); i++)
        printf("%.17g\n", v[i]);
    (void)argc;
    return 0;
}
CEOF
"$DVAL" synth linear-clf -o "$T/d.csv" --rows 300 --features 4 --seed 3 2>/dev/null
"$DVAL" value --method knn --data "$T/d.csv" -o "$T/cli.csv" -q
cut -d, -f2 "$T/cli.csv" | tail -n +2 > "$T/cli.txt"
if cc -o "$T/prog" "$T/prog.c" $(pkg-config --cflags --libs dval) 2>"$T/cc.err" \
    && LD_LIBRARY_PATH=$L "$T/prog" "$T/d.csv" > "$T/prog.txt" && cmp -s "$T/prog.txt" "$T/cli.txt"; then
    ok "C program through pkg-config: the command's values, bit for bit"
else
    bad "pkg-config program: $(cat "$T/cc.err") $(head -3 "$T/prog.txt" "$T/cli.txt" 2>&1)"
fi
if cc -o "$T/prog_static" "$T/prog.c" $(pkg-config --cflags dval) "$L/libdval.a" \
        $(pkg-config --static --libs dval | sed 's/-ldval\b//') 2>"$T/cc.err" \
    && ! objdump -p "$T/prog_static" | grep -q "NEEDED *libdval" \
    && "$T/prog_static" "$T/d.csv" > "$T/static.txt" && cmp -s "$T/static.txt" "$T/cli.txt"; then
    ok "C program against libdval.a (pkg-config --static): the same values"
else
    bad "static program: $(cat "$T/cc.err")"
fi

# a CMake project through find_package(dval)
mkdir -p "$T/cm"
cp "$T/prog.c" "$T/cm/prog.c"
cat > "$T/cm/CMakeLists.txt" <<'CEOF'
cmake_minimum_required(VERSION 3.18)
project(uses_dval C)
find_package(dval 0.1 REQUIRED)
add_executable(prog prog.c)
target_link_libraries(prog PRIVATE dval::dval)
CEOF
if cmake -S "$T/cm" -B "$T/cm/b" -DCMAKE_PREFIX_PATH="$P" >"$T/cm.log" 2>&1 \
    && cmake --build "$T/cm/b" >>"$T/cm.log" 2>&1 \
    && "$T/cm/b/prog" "$T/d.csv" > "$T/cm.txt" && cmp -s "$T/cm.txt" "$T/cli.txt"; then
    ok "CMake project with find_package(dval): the same values"
else
    bad "find_package(dval): $(tail -20 "$T/cm.log")"
fi

# the Python package, importable from the prefix's dist-packages, loads the
# installed library (not the build's) and computes the command's values
if PYTHONPATH=$P/$PYDIR /usr/bin/python3 - "$T/d.csv" "$T/py.csv" "$L" >"$T/py.out" 2>&1 <<'PYEOF'
import sys, os, dval
version, path = dval.library_version()
assert os.path.realpath(path).startswith(os.path.realpath(sys.argv[3])), path
dval.value(data=sys.argv[1], method="knn").write(sys.argv[2])
# a run and a figure: libdval_plot found beside the installed libdval
run = dval.sample(data=sys.argv[1], out=sys.argv[2] + ".run", samples=3, points=8,
                  min_card=10, max_card=40, batch=4)
png = dval.plot.hist(run, sys.argv[2] + ".png")
with open(png, "rb") as f:
    assert f.read(8) == b"\x89PNG\r\n\x1a\n"
from dval import _lib
assert os.path.realpath(_lib._plot._name).startswith(os.path.realpath(sys.argv[3])), _lib._plot
print(version)
PYEOF
then
    cut -d, -f2 "$T/py.csv" | tail -n +2 | cmp -s - "$T/cli.txt" && [ "$(cat "$T/py.out")" = "$V" ] \
        && ok "installed Python package: the installed libraries, the command's values, a figure" \
        || bad "installed Python package: values differ"
else
    bad "installed Python package: $(cat "$T/py.out")"
fi

# dval(1) renders without warnings and holds every command's help
if command -v man >/dev/null; then
    MANWIDTH=100 man --warnings -l "$P/share/man/man1/dval.1" >"$T/man.txt" 2>"$T/man.err"
    n=0
    for c in demo synth sample fit value curve eval plot report study; do
        grep -q "^ *dval $c\b" "$T/man.txt" && n=$((n + 1))
    done
    [ ! -s "$T/man.err" ] && [ $n = 10 ] && grep -qF -- "$("$DVAL" help sample | sed -n 3p | sed 's/  */ /g;s/^ //')" <(sed 's/  */ /g;s/^ //' "$T/man.txt") \
        && ok "dval(1): renders, every command's help" || bad "dval(1): $n commands; $(cat "$T/man.err")"
fi
finish
