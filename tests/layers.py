"""The library's layers, checked on the built objects: every call between
source folders goes down the order below (never up, never between two
folders of one rank), no two source files call each other in a loop, and
libdval itself needs no drawing library.  Objects whose source file no
longer exists (a build tree older than a move) are left out when SRC_DIR is
given.  Usage: layers.py BUILD_DIR [SRC_DIR].  Prints one line per
violation; exits 1 if there is any."""
import collections, os, subprocess, sys

RANK = {"util": 0, "data": 1, "learn": 2, "scaling": 3, "sample": 4, "methods": 4,
        "study": 5, "tasks": 6, "plot": 7}

build = sys.argv[1]
src_dir = sys.argv[2] if len(sys.argv) > 2 else None
objs = {}
for d, _, fs in os.walk(os.path.join(build, "CMakeFiles")):
    if "/dval.dir/" not in d + "/" and "/dval_plot.dir/" not in d + "/":
        continue
    for f in fs:
        if f.endswith(".c.o"):
            p = os.path.join(d, f)
            rel = p.split("/src/", 1)[1][:-4]
            if src_dir and not os.path.exists(os.path.join(src_dir, "src", rel + ".c")):
                continue
            objs.setdefault(rel, p)
if not objs:
    sys.exit("layers.py: no objects under " + build)
defs, uses = {}, collections.defaultdict(set)
for rel, p in objs.items():
    out = subprocess.run(["nm", p], capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in "TDBR":
            defs.setdefault(parts[2], rel)
        elif len(parts) == 2 and parts[0] == "U":
            uses[rel].add(parts[1])
bad = []
graph = collections.defaultdict(set)
for a, syms in uses.items():
    for s in syms:
        b = defs.get(s)
        if not b or b == a:
            continue
        graph[a].add(b)
        fa, fb = a.split("/")[0], b.split("/")[0]
        if fa == fb:
            continue
        if fa not in RANK or fb not in RANK:
            bad.append(f"{a} -> {b} ({s}): folder without a rank")
        elif RANK[fb] >= RANK[fa]:
            bad.append(f"{a} -> {b} ({s}): {fa} may not call {fb}")
# loops between files (Tarjan)
index, low, stack, on, n = {}, {}, [], set(), [0]
sys.setrecursionlimit(10000)
def visit(v):
    index[v] = low[v] = n[0]; n[0] += 1; stack.append(v); on.add(v)
    for w in graph.get(v, ()):
        if w not in index:
            visit(w); low[v] = min(low[v], low[w])
        elif w in on:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        comp = []
        while True:
            w = stack.pop(); on.discard(w); comp.append(w)
            if w == v:
                break
        if len(comp) > 1:
            bad.append("files calling each other in a loop: " + ", ".join(sorted(comp)))
for v in list(graph):
    if v not in index:
        visit(v)
lib = os.path.join(build, "libdval.so")
needed = subprocess.run(["objdump", "-p", lib], capture_output=True, text=True).stdout
for line in needed.splitlines():
    if "NEEDED" in line and any(x in line for x in ("cairo", "png", "fontconfig", "freetype")):
        bad.append("libdval.so needs " + line.split()[-1])
for b in bad:
    print(b)
print(f"{len(objs)} objects, {sum(len(v) for v in graph.values())} calls between files, "
      f"{len(bad)} violations")
sys.exit(1 if bad else 0)
