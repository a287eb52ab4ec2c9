#!/usr/bin/env python3
"""Turns perf reports of a worker and an API server (scripts/cluster-profile.sh) into one labelled
section of a Markdown page: time per crate, top functions by own time, and ours including callees.
Usage: profile-report.py LABEL DIR COMMIT PAGE. Other labels' sections in PAGE are kept."""
import re
import sys
from collections import defaultdict

label, folder, commit, page = sys.argv[1:5]
SELF = re.compile(r"^\s*([\d.]+)%\s+(\S+)\s+\[(.)\]\s+(.*)$")
CHILDREN = re.compile(r"^\s*([\d.]+)%\s+([\d.]+)%\s+\S+\s+\[(.)\]\s+(.*)$")
CHILDREN_NO_DSO = re.compile(r"^\s*([\d.]+)%\s+([\d.]+)%\s+\[(.)\]\s+(.*)$")


def clean(symbol):
    """The symbol without perf's trailing empty columns ("-  -")."""
    return re.sub(r"(\s+-)+\s*$", "", symbol).strip()


def crate(dso, kind, symbol):
    """Which crate (or the kernel, or the C library) a sample's function belongs to."""
    if kind == "k":
        return "kernel"
    if not dso.startswith("highlights"):
        return dso.split(".so")[0]
    m = re.match(r"^(?:[<&_\s]|dyn |core::ptr::drop_in_place<|alloc::\w+::\w+<)*([A-Za-z_][A-Za-z0-9_]*)::", symbol)
    return m.group(1) if m else "other (" + symbol[:30] + ")"


def short(symbol, width=110):
    symbol = re.sub(r"::h[0-9a-f]{16}$", "", clean(symbol))
    return symbol if len(symbol) <= width else symbol[: width - 1] + "…"


def section(who):
    lines = open(f"{folder}/{who}-self.txt").read().splitlines()
    samples = next((l for l in lines if l.startswith("# Samples")), "# Samples: ?").lstrip("# ")
    per_crate, top = defaultdict(float), []
    for line in lines:
        m = SELF.match(line)
        if m:
            pct, dso, kind, sym = float(m.group(1)), m.group(2), m.group(3), m.group(4).strip()
            per_crate[crate(dso, kind, sym)] += pct
            top.append((pct, sym))
    out = [f"**{who}** ({samples})", "", "| crate | own time |", "|---|---:|"]
    for name, pct in sorted(per_crate.items(), key=lambda kv: -kv[1])[:12]:
        out.append(f"| {name} | {pct:.1f} % |")
    out += ["", "| function (own time) | % |", "|---|---:|"]
    for pct, sym in top[:15]:
        out.append(f"| `{short(sym)}` | {pct:.1f} |")
    ours = []
    for line in open(f"{folder}/{who}-children.txt").read().splitlines():
        m = CHILDREN.match(line) or CHILDREN_NO_DSO.match(line)
        if m and "highlights_" in m.group(4):
            ours.append((float(m.group(1)), m.group(4).strip()))
    out += ["", "| our function (with what it calls) | % |", "|---|---:|"]
    for pct, sym in ours[:15]:
        out.append(f"| `{short(sym)}` | {pct:.1f} |")
    return out


bench = [l for l in open(f"{folder}/bench.txt").read().splitlines() if l.strip()[:1].isdigit() or "workload" in l]
body = [f"<!-- profile:{label} -->", f"### {label} (at {commit})", "", "```"] + bench + ["```", ""]
for who in ("worker", "api"):
    body += section(who) + [""]
body.append(f"<!-- /profile:{label} -->")

try:
    text = open(page).read()
except FileNotFoundError:
    text = ("# Where the event path's CPU goes\n\n"
            "Written by `scripts/cluster-profile.sh LABEL`: perf samples (499 Hz, DWARF stacks) of one worker\n"
            "and one API server during the cluster benchmark's 1-worker run. Percentages are of each\n"
            "process's samples; the profiler slows the run, so its figures are not the published ones\n"
            "(those are in [figures.md](figures.md)).\n")
pattern = re.compile(rf"<!-- profile:{re.escape(label)} -->.*?<!-- /profile:{re.escape(label)} -->", re.S)
block = "\n".join(body)
text = pattern.sub(lambda _: block, text) if pattern.search(text) else text.rstrip("\n") + "\n\n" + block + "\n"
open(page, "w").write(text)
