#!/usr/bin/env python3
"""Lists import cycles between the source files of a crate: `use crate::…`, `use super::…` and
inline `crate::…` paths resolved to the file that defines the module they name. A file's own
`mod x;` declarations count as edges too, so a parent that a child imports from closes a cycle.

Usage: scripts/import-cycles.py server/src [core/src …]; exits 1 when a cycle is found."""
import os, re, sys

def modules(src):
    files = {}
    for root, _, names in os.walk(src):
        for n in names:
            if not n.endswith(".rs"):
                continue
            path = os.path.join(root, n)
            rel = os.path.relpath(path, src)[:-3].split(os.sep)
            if rel[-1] == "mod":
                rel = rel[:-1]
            if rel in (["lib"], ["main"]):
                rel = []
            files[tuple(rel)] = path
    return files

def resolve(files, segs):
    """The longest module path among `segs` that is a file."""
    for k in range(len(segs), -1, -1):
        if tuple(segs[:k]) in files:
            return tuple(segs[:k])
    return None

def edges(files, mod, path):
    text = open(path, encoding="utf-8").read()
    text = re.sub(r"//[^\n]*", "", text)
    # Test modules are not part of the build's import graph.
    text = text.split("#[cfg(test)]")[0]
    out = set()
    for m in re.finditer(r"\bmod\s+([a-z_0-9]+)\s*;", text):
        out.add(mod + (m.group(1),))
    for m in re.finditer(r"\b(crate|super)((?:::[A-Za-z_0-9]+)+)", text):
        segs = m.group(2).strip(":").split("::")
        if m.group(1) == "crate":
            base = []
        else:
            # In a mod.rs-less file `super` is the parent; in lib.rs there is none.
            base = list(mod[:-1])
        target = resolve(files, base + segs)
        if target is not None and target != mod:
            out.add(target)
    for m in re.finditer(r"\buse\s+(crate|super)::\{([^;]*)\};", text, re.S):
        base = [] if m.group(1) == "crate" else list(mod[:-1])
        for item in re.findall(r"[A-Za-z_0-9]+(?:::[A-Za-z_0-9]+)*", m.group(2)):
            target = resolve(files, base + item.split("::"))
            if target is not None and target != mod:
                out.add(target)
    return {t for t in out if t in files}

def cycles(src):
    files = modules(src)
    graph = {m: edges(files, m, p) for m, p in files.items()}
    # The crate root declares every top-level module; only imports *into* it can close a cycle
    # that means something, and a root that re-exports is read through the module it names.
    graph[()] = set()
    index, low, stack, on, out, n = {}, {}, [], set(), [], [0]
    def visit(v):
        index[v] = low[v] = n[0]; n[0] += 1; stack.append(v); on.add(v)
        for w in graph[v]:
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
                out.append(sorted("/".join(c) or "lib" for c in comp))
    sys.setrecursionlimit(10000)
    for v in graph:
        if v not in index:
            visit(v)
    return out

found = False
for src in sys.argv[1:]:
    here = cycles(src)
    for c in here:
        print(f"{src}: cycle among {', '.join(c)}")
    if not here:
        print(f"{src}: no import cycles")
    found = found or bool(here)
sys.exit(1 if found else 0)
