#!/usr/bin/env bash
# dval study boundary: every map is written as a PNG that decodes to the
# figure's size and is not blank, with its numbers in a CSV; the numbers
# obey what they must, recomputed here: the overview is the nearest-mean
# rule; add-one values obey the triangle inequality |dv(f', g) - dv(f, g)|
# <= dv(f', f); forgetting, memorization and pairwise values lie on their
# grids; bad options fail clearly.
. "$(dirname "$0")/lib.inc"
set -u
O=(--quick --configs two,four --hidden 20 --mesh 60 --plot-step 5 --shapley-step 10 --shapley-perms 2 --pairs 4 --pair-samples 3 --ensemble 3 --dvrl-iters 10 --seed 2)
if $DVAL study boundary "${O[@]}" -o "$T/st" 2>"$T/st.err"; then ok "study boundary --quick"; else bad "study boundary: $(cat "$T/st.err")"; fi
[ "$(grep -c "configurations done in" "$T/st.err")" = 1 ] && grep -q "^dval: 1 of 2 configurations done in [0-9]* s; about [0-9]* s left$" "$T/st.err" \
    && ok "study: the time left after each configuration" || bad "study: no time left: $(cat "$T/st.err")"
# after every phase, the time left of the whole study; none after the last
[ "$(grep -c "; the study has about [0-9]* \(s\|min\) left$" "$T/st.err")" = 26 ] \
    && [ "$(grep "the study has about" "$T/st.err" | tail -1 | sed 's/.*about \([0-9]*\) .*/\1/')" = 0 ] \
    && ok "study: the time left after each phase" || bad "study: phases' time left: $(cat "$T/st.err")"
$PY - "$T/st" <<'PYEOF' && ok "study maps: PNGs and numbers" || bad "study maps"
import sys, os, csv, zlib, struct, math
d = sys.argv[1]
def png(path):
    """Decodes an 8-bit non-interlaced PNG: (width, height, distinct pixels)."""
    b = open(path, 'rb').read()
    assert b[:8] == b'\x89PNG\r\n\x1a\n', path
    pos, idat, w = 8, b'', None
    while pos < len(b):
        n, t = struct.unpack('>I4s', b[pos:pos + 8])
        data = b[pos + 8:pos + 8 + n]
        if t == b'IHDR':
            w, h, depth, ctype, _, _, inter = struct.unpack('>IIBBBBB', data)
            assert depth == 8 and inter == 0 and ctype in (2, 6), (depth, ctype)
            bpp = 3 if ctype == 2 else 4
        elif t == b'IDAT':
            idat += data
        pos += 12 + n
    raw, stride = zlib.decompress(idat), w * bpp
    prev, rows, i = bytearray(stride), [], 0
    for y in range(h):
        f, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            c = prev[x - bpp] if x >= bpp else 0
            up = prev[x]
            if f == 1: line[x] = (line[x] + a) & 255
            elif f == 2: line[x] = (line[x] + up) & 255
            elif f == 3: line[x] = (line[x] + (a + up) // 2) & 255
            elif f == 4:
                p = a + up - c
                pa, pb, pc = abs(p - a), abs(p - up), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else up if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    colours = {r[k:k + bpp] for r in rows[::7] for k in range(0, stride, bpp * 5)}
    return w, h, len(colours)
def grid(path):
    return [(float(r['x']), float(r['y']), float(r['value'])) for r in csv.DictReader(open(path))]
maps = ['overview', 'loo_truth', 'loo_baseline', 'forgetting_events', 'forgetting_printed',
        'forgetting_last_learned', 'forgetting_simple', 'forgetting_frequent', 'memorization',
        'ood_ensemble', 'ood_dropout', 'shapley', 'mesh_only', 'loo_training', 'dvrl_xyr', 'dvrl_xp', 'dvrl_x', 'stability',
        'stability_n50', 'stability_n100', 'stability_n500']
means = {'two': ([(0, 1), (10, 7)], [0, 1]), 'four': ([(0, 1), (12, 15), (10, 7), (1, 13)], [0, 0, 1, 1])}
for cfg in ('two', 'four'):
    for m in maps + ['pairs']:
        w, h, n = png(f'{d}/{cfg}/{m}.png')
        assert (w, h) == ((1020, 435) if m == 'pairs' else (510, 435)), (cfg, m, w, h)
        assert n > 8, (cfg, m, 'blank?', n)
    g = {m: grid(f'{d}/{cfg}/{m}.csv') for m in maps if not m.startswith('stability') and m != 'loo_training'}
    tl = [float(r['value']) for r in csv.DictReader(open(f'{d}/{cfg}/loo_training_points.csv'))]
    assert len(tl) == 500 and min(tl) >= 0 and max(tl) > 0, (min(tl), max(tl))   # dv(f_X-x, f_X)
    assert len(g['overview']) == 49 and len(g['shapley']) == 16, (len(g['overview']), len(g['shapley']))
    mu, cl = means[cfg]
    for x, y, v in g['overview']:
        k = min(range(len(mu)), key=lambda j: ((x - mu[j][0]) ** 2 + (y - mu[j][1]) ** 2, j))
        assert v == cl[k], (cfg, x, y, v)
    for (x, y, t), (_, _, b) in zip(g['loo_truth'], g['loo_baseline']):
        assert abs(t) <= b + 1e-12 and 0 <= b <= 1, (cfg, x, y, t, b)
    E = None
    for m in maps[3:8]:
        for _, _, v in g[m]:
            assert 0 <= v <= 1 + 1e-12, (m, v)
    for _, _, v in g['memorization']:
        assert abs(2 * v - round(2 * v)) < 1e-12 and -1 <= v <= 1, v   # 2 seeds (--quick)
    assert all(v >= 0 for _, _, v in g['ood_ensemble']) and all(v >= 0 for _, _, v in g['ood_dropout'])
    for m in ('dvrl_xyr', 'dvrl_xp', 'dvrl_x'):
        assert all(0 < v < 1 for _, _, v in g[m]), m
    assert any(v != 0 for _, _, v in g['loo_baseline'])
    pairs = list(csv.DictReader(open(f'{d}/{cfg}/pairs.csv')))
    assert len(pairs) == 6 and all(float(r['value']) >= 0 for r in pairs), pairs
timing = list(csv.DictReader(open(f'{d}/timing.csv')))
assert {r['config'] for r in timing} == {'two', 'four'} and all(float(r['seconds']) >= 0 for r in timing)
html = open(f'{d}/report.html').read()
for cfg in ('two', 'four'):
    for m in maps + ['pairs']:
        assert f'src="{cfg}/{m}.png"' in html, (cfg, m)
PYEOF
expect_fail "study: unknown configuration" "unknown configuration 'five'" $DVAL study boundary --configs five -o "$T/x"
expect_fail "study: no study named" "dval study boundary" $DVAL study
expect_fail "study: bad step" "plot-step" $DVAL study boundary --plot-step 0.001 -o "$T/x"
expect_fail "study: unknown option" "unknown option '--meshes'" $DVAL study boundary --meshes 3 -o "$T/x"
$DVAL study --help | grep -q "loo_truth" && ok "study --help lists the maps" || bad "study --help"
finish
