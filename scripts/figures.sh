#!/usr/bin/env bash
# Every figure the project publishes, measured now on this machine, written to docs/figures.md
# with the date, the machine, each goal and whether it is met. Runs the benchmarks, the real-data
# evaluation (when LIGHTOR_DIR names the Lightor Dota2 train split) and the full reliability runs:
# about an hour on 2 cores. Not part of CI.
#
# --report-only writes docs/figures.md again from the outputs of the last run (target/figures),
# without measuring. RELIABILITY=fast runs the CI slice of the reliability suites instead of the
# full runs (the table says which); FIGURES_MEASURED_AT names the commit(s) when outputs were
# gathered from more than one.
set -euo pipefail
cd "$(dirname "$0")/.."
out=target/figures
log() { echo "== $*" >&2; }
reliability=${RELIABILITY:-full}
# --only NAME...: measure just these (engine detection eval module sync snapping speech render learning
# kotlin desktop mobile pc-app cluster abuse reliability); the other rows keep what docs/figures.md says.
# --report-only --only NAME... rewrites just those rows from the last run's outputs.
only=()
report_only=
while (($#)); do
  case $1 in
    --report-only) report_only=1 ;;
    --only)
      shift
      only=("$@")
      ((${#only[@]})) || { echo "figures: --only needs the names of what to measure" >&2; exit 2; }
      break
      ;;
    *) echo "usage: scripts/figures.sh [--report-only] [--only NAME...]" >&2; exit 2 ;;
  esac
  shift
done
want() { ((${#only[@]} == 0)) || [[ " ${only[*]} " == *" $1 "* ]]; }
if [[ -z $report_only ]]; then
if ((${#only[@]})); then
  mkdir -p "$out"
  for name in "${only[@]}"; do rm -f "$out/$name.txt"; done
else
  rm -rf "$out" && mkdir -p "$out"
fi

want engine && log "engine benchmark"
want engine && cargo bench -p highlights-engine --bench engine -- --warm-up-time 1 --measurement-time 3 >"$out/engine.txt" 2>&1
want detection && log "detection on the generator"
want detection && cargo test --release -p highlights-engine --test detection -- --nocapture >"$out/detection.txt" 2>&1
if want eval && [[ -n "${LIGHTOR_DIR:-}" ]]; then
  # LIGHTOR_DIR: the Dota2 train split; LIGHTOR_LOL_DIR: the LoL train split (never a test split).
  log "detection on real labelled chat, cross-validated ($LIGHTOR_DIR ${LIGHTOR_LOL_DIR:-})"
  cargo run -q --release -p highlights-server -- eval --cv --lightor "$LIGHTOR_DIR" \
    ${LIGHTOR_LOL_DIR:+--lightor "$LIGHTOR_LOL_DIR"} >"$out/eval.txt"
fi
want module && log "module page benchmark"
want module && cargo bench -p highlights-core --bench module_page -- --warm-up-time 1 --measurement-time 3 >"$out/module.txt" 2>&1
want sync && log "sync benchmark"
want sync && cargo bench -p highlights-e2e --bench sync >"$out/sync.txt" 2>&1
want snapping && log "clips ending inside a caption, before and after snapping"
want snapping && { bash scripts/snapping-figure.sh >"$out/snapping.txt" 2>&1 || echo "snapping figure: failed" >>"$out/snapping.txt"; }
want speech && log "speech recognition: word error rate, real-time factor, clip ends without platform captions"
want speech && { bash scripts/speech-figure.sh >"$out/speech.txt" 2>&1 || echo "speech figure: failed" >>"$out/speech.txt"; }
want render && log "render benchmark"
want render && { cargo bench -p highlights-server --bench render >"$out/render.txt" 2>&1 || echo "render bench: failed" >"$out/render.txt"; }
want kotlin && log "Kotlin call cost"
want kotlin && { bash scripts/bench-kotlin.sh >"$out/kotlin.txt" 2>&1 || echo "kotlin bench: not run" >"$out/kotlin.txt"; }
want desktop && log "desktop frame time, 50 video cards"
want desktop && { bash scripts/bench-desktop.sh >"$out/desktop.txt" 2>&1 || echo "desktop bench: not run" >"$out/desktop.txt"; }
want mobile && log "the phone's core library: stripped size with each transport (two LTO builds)"
want mobile && { bash scripts/mobile-size.sh >"$out/mobile.txt" 2>&1 || echo "mobile size: failed" >>"$out/mobile.txt"; }
want pc-app && log "the PC app as installed: package, cold start, installed size"
want pc-app && { bash scripts/desktop-installed-test.sh >"$out/pc-app.txt" 2>&1 || echo "pc app test: failed" >>"$out/pc-app.txt"; }
want learning && log "per-seller learning on the simulated population (held-out seeds)"
want learning && cargo test -q --release -p highlights-engine --test learning -- --ignored learning_figure --nocapture >"$out/learning.txt" 2>&1
want cluster && log "distributed mode: end to end with 1 and 2 workers (PostgreSQL, NATS)"
want cluster && { bash scripts/cluster-bench.sh >"$out/cluster.txt" 2>&1 || echo "cluster bench: failed" >>"$out/cluster.txt"; }
want abuse && log "attacks on a local server (docs/attacks.md)"
want abuse && { bash scripts/abuse.sh --publish >"$out/abuse.txt" 2>&1 || echo "abuse: failed" >>"$out/abuse.txt"; }
if want reliability; then
log "reliability, $reliability runs"
if [[ $reliability == full ]]; then
  bash scripts/reliability.sh --full >"$out/reliability.txt" 2>&1
else
  bash scripts/reliability.sh >"$out/reliability.txt" 2>&1
fi
echo "reliability mode: $reliability" >>"$out/reliability.txt"
fi
fi

python3 - "$out" "${only[@]}" <<'PY'
import datetime, os, platform, re, subprocess, sys
out, only = sys.argv[1], sys.argv[2:]
current = None
def read(name):
    # With --only, what was not measured now is not read from an older run either: its rows
    # keep what the published page says.
    global current
    current = name.removesuffix(".txt")
    p = os.path.join(out, name)
    if only and current not in only:
        return ""
    return open(p, encoding="utf-8", errors="replace").read() if os.path.exists(p) else ""
def grab(text, pattern, cast=float):
    m = re.search(pattern, text)
    return cast(m.group(1)) if m else None
rows = []
# A --only run rewrites the rows of what it measured and keeps every other row the published page
# has, in its place (new rows go at the end).
published = []
if only and os.path.exists("docs/figures.md"):
    for line in open("docs/figures.md", encoding="utf-8"):
        cells = line.rstrip("\n").split(" | ")
        if line.startswith("| ") and len(cells) >= 5 and not line.startswith("| figure |"):
            published.append((cells[0][2:], line.rstrip("\n")))
def figure(what, value, unit, goal, met, note=""):
    if only and current not in only:
        return
    shown = "not measured" if value is None else (f"{value:,.2f}".rstrip("0").rstrip(".") + f" {unit}").strip()
    verdict = "—" if met is None or value is None else ("met" if met else "**not met**")
    rows.append((what, f"| {what} | {shown} | {goal} | {verdict} | {note} |"))

e = read("engine.txt")
one = grab(e, r"one 5,000-viewer LIVE: engine ([0-9.]+) M")
many = grab(e, r"10,000 concurrent LIVEs: engine ([0-9.]+) M")
floor_many = grab(e, r"10,000 concurrent LIVEs: engine [0-9.]+ M events/s, plain counting ([0-9.]+)")
mid = grab(e, r"mid-stream \(the minute after their first two\): engine ([0-9.]+) M")
one_by_one = grab(e, r"in batches of [0-9]+, ([0-9.]+) M events/s one by one")
state = grab(e, r"([0-9]+) bytes per LIVE", int)
delay_bench = grab(e, r"p99 ([0-9]+) ms, max", int)
figure("engine scoring, one 5,000-viewer LIVE", one, "M events/s", "≥ 2", one and one >= 2)
figure("engine scoring, 10,000 concurrent LIVEs", many, "M events/s", "≥ 2", many and many >= 2, f"all starting together; plain counting in the same run: {floor_many} M/s")
figure("engine scoring, 10,000 concurrent LIVEs mid-stream", mid, "M events/s", "≥ 2", mid and mid >= 2, f"the minute after their first two, on a warmed engine; in ingestion batches as the server scores them, {one_by_one} M/s one event at a time in the same run")
figure("detection state per LIVE", state, "bytes", "≤ 4096", state and state <= 4096)
d = read("detection.txt")
dp = grab(d, r"all sizes: precision ([0-9.]+)")
dr = grab(d, r"all sizes: precision [0-9.]+, recall ([0-9.]+)")
dd = grab(d, r"identification p99 ([0-9]+) ms", int)
worst_p = min([float(x) for x in re.findall(r"precision ([0-9.]+), recall [0-9.]+; identified", d)] or [0]) if d else None
worst_r = min([float(x) for x in re.findall(r"recall ([0-9.]+); identified", d)] or [0]) if d else None
quiet = grab(d, r"minutes: ([0-9]+) moments", int)
figure("generator: precision, all sizes", dp, "", "≥ 0.9 every size", worst_p is not None and worst_p >= 0.9, f"worst size {worst_p}")
figure("generator: recall, all sizes", dr, "", "≥ 0.9 every size", worst_r is not None and worst_r >= 0.9, f"worst size {worst_r}")
quiet_posted = grab(d, r"moments, ([0-9]+) above the auto-post bar", int)
figure("generator: moments in 40 quiet and spam-only LIVEs", quiet, "", "0", quiet == 0, "recommendations: the seller sees them in the module, nothing is posted")
figure("generator: auto-posted moments in those 40 LIVEs", quiet_posted, "", "0", quiet_posted == 0)
posted_planted = re.search(r"auto-posted: ([0-9]+) of ([0-9]+) planted moments, ([0-9]+) posted in all", d or "")
if posted_planted:
    matched, planted, posted_all = map(int, posted_planted.groups())
    figure("generator: planted moments auto-posted", round(matched / planted, 2), "", "printed", None, f"{matched} of {planted}; {posted_all} auto-posted in all")
wide = re.findall(r"widened, +([0-9]+) viewers: [0-9]+ planted; found precision [0-9.]+, recall [0-9.]+; auto-posted [0-9]+ of them, [0-9]+ posted in all: precision ([0-9.]+), recall ([0-9.]+)", d or "")
if wide:
    big = [w for w in wide if int(w[0]) >= 300]
    low_r = min(float(w[2]) for w in big) if big else None
    wp = grab(d, r"widened, 300 viewers and more: auto-posted precision ([0-9.]+)")
    per_size = "; ".join(f"{w[0]} viewers: R {w[2]} P {w[1]}" for w in wide)
    figure("widened generator (moments of 15-35 s at 3.5-7x): auto-posted recall, worst audience of 300 and more", low_r, "", "≥ 0.9", low_r is not None and low_r >= 0.9, per_size)
    figure("widened generator: auto-posted precision, audiences of 300 and more", wp, "", "≥ 0.95", wp is not None and wp >= 0.95)
others = re.findall(r"other seeds \(([0-9]+)\): precision ([0-9.]+), recall ([0-9.]+) over all sizes; worst size precision ([0-9.]+), recall ([0-9.]+); identification p99 ([0-9]+) ms", d)
if others:
    lowest = min(min(float(o[1]), float(o[2])) for o in others)
    figure("generator, streams of 3 other seed sets: lowest precision or recall, all sizes", lowest, "", "printed", None,
           "; ".join(f"seeds {o[0]}: P {o[1]} R {o[2]}, worst size P {o[3]} R {o[4]}, p99 {o[5]} ms" for o in others))
figure("identification after a planted peak, p99", dd, "ms", "≤ 10000", dd is not None and dd <= 10000, f"bench sample p99: {delay_bench} ms")
ev = read("eval.txt")
if ev:
    p5 = grab(ev, r"engine\s+start-precision P@1 [0-9.]+\s+P@5 ([0-9.]+)")
    ap = grab(ev, r"engine\s+start-precision .* auto-posted precision \(cap 10\) ([0-9.]+)")
    n5 = grab(ev, r"naive baseline\s+start-precision P@1 [0-9.]+\s+P@5 ([0-9.]+)")
    na = grab(ev, r"naive baseline\s+start-precision .* auto-posted precision \(cap 10\) ([0-9.]+)")
    cv5 = grab(ev, r"cross-validated\s+start-precision P@1 [0-9.]+\s+P@5 ([0-9.]+)")
    cva = grab(ev, r"cross-validated\s+start-precision .* auto-posted precision \(cap 10\) ([0-9.]+)")
    cvn = grab(ev, r"cross-validated\s+start-precision .* \(([0-9.]+) a stream\)")
    figure("real chat (Lightor train splits), leave one stream out: start-precision at 5", cv5, "", "≥ 0.66 and above the naive baseline", cv5 is not None and cv5 >= 0.66 and cv5 > n5, f"in-sample {p5}; naive baseline {n5}")
    figure("real chat, leave one stream out: auto-posted precision, cap 10", cva, "", "≥ 0.70 with ≥ 3 posts a stream", cva is not None and cva >= 0.7 and (cvn or 0) >= 3, f"{cvn} posts a stream; in-sample {ap}; naive baseline {na}")
    lv5 = grab(ev, r"cv, learned chat\s+start-precision P@1 [0-9.]+\s+P@5 ([0-9.]+)")
    lva = grab(ev, r"cv, learned chat\s+start-precision .* auto-posted precision \(cap 10\) ([0-9.]+)")
    lvn = grab(ev, r"cv, learned chat\s+start-precision .* \(([0-9.]+) a stream\)")
    figure("real chat, leave one stream out, chat weights learned by `train` in each fold: start-precision at 5", lv5, "", "printed", None, f"not shipped; hand-set weights (shipped): {cv5}")
    figure("real chat, leave one stream out, chat weights learned in each fold: auto-posted precision, cap 10", lva, "", "printed", None, f"{lvn} posts a stream; not shipped; hand-set weights (shipped): {cva}")
else:
    figure("real chat (Lightor Dota2 train)", None, "", "P@5 ≥ 0.70, posted ≥ 0.60", None, "set LIGHTOR_DIR to the train split")
m = read("module.txt")
ratio = grab(m, r"independent baseline [0-9]+ µs: ([0-9.]+)x")
figure("module first page, core vs independent baseline", ratio, "x", "≤ 2x", ratio is not None and ratio <= 2, (re.search(r"core [0-9]+ µs, independent baseline [0-9]+ µs", m) or [""])[0])
d = read("desktop.txt")
p95 = grab(d, r"p50 [0-9.]+ ms, p95 ([0-9.]+) ms per frame with cached thumbnails")
dp50 = grab(d, r"p50 ([0-9.]+) ms, p95 [0-9.]+ ms per frame with cached thumbnails")
bare = re.search(r"without thumbnails p50 ([0-9.]+) ms, p95 ([0-9.]+) ms", d)
figure("desktop: a page of 50 video cards, p95 frame time, thumbnails cached", p95, "ms", "≤ 16", p95 is not None and p95 <= 16,
       f"p50 {dp50} ms; the same page without thumbnails p50 {bare.group(1)} ms, p95 {bare.group(2)} ms (software Skia, scrolled, countdowns ticking)" if bare else "scripts/bench-desktop.sh")
mo = read("mobile.txt")
phone = grab(mo, r"the phone's\) ([0-9.]+) MB")
own = grab(mo, r"its own reqwest and rustls ([0-9.]+) MB")
figure("phone's core library, stripped (mobile profile, the platform's transport)", phone, "MB", "≤ 3.0", phone is not None and phone <= 3.0,
       f"x86_64; with the core's own reqwest and rustls, as the PC app ships it: {own} MB; scripts/mobile-size.sh, docs/size.md" if own else "scripts/mobile-size.sh")
pc = read("pc-app.txt")
cold = grab(pc, r"startup: module drawn ([0-9]+) ms after launch", int)
jvm = re.search(r"JVM started at ([0-9]+) ms, main\(\) at ([0-9]+) ms", pc)
size = re.search(r"installed size: (\S+) in all; runtime image (\S+); core library (\S+); package (\S+)", pc)
figure("PC app: cold start to a drawn module, signed in, installed from the .deb", cold, "ms", "≤ 3000", cold is not None and cold <= 3000,
       f"the JVM up at {jvm.group(1)} ms and main() at {jvm.group(2)} ms after launch (Xvfb, software rendering)" if jvm else "scripts/desktop-installed-test.sh")
mb = lambda t: float(t[:-1]) * {"K": 1 / 1024, "M": 1, "G": 1024}.get(t[-1], 1)
figure("PC app: installed size", mb(size.group(1)) if size else None, "MB", "printed", None,
       f"runtime image {size.group(2)}, core library {size.group(3)}, the .deb {size.group(4)}" if size else "scripts/desktop-installed-test.sh")
s = read("sync.txt")
full = grab(s, r"median ([0-9]+) ms \(goal")
idle_req = grab(s, r"idle resync: ([0-9]+) request", int)
idle_bytes = grab(s, r"request\(s\), ([0-9]+) bytes", int)
figure("full sync, 1,000 recordings + 20,000 highlights", full, "ms", "≤ 1000", full is not None and full <= 1000)
figure("idle resync", idle_bytes, "bytes", "1 request, ≤ 1024 bytes", idle_req == 1 and idle_bytes is not None and idle_bytes <= 1024, f"{idle_req} request(s)")
rb = read("render.txt")
rt = grab(rb, r"every format .*?\+ thumbnail\s+([0-9.]+) s\s+([0-9.]+)x real time")
rx = grab(rb, r"every format .*?\+ thumbnail\s+[0-9.]+ s\s+([0-9.]+)x real time")
rbase = grab(rb, r"every format .*?([0-9.]+)x the baseline")
lives = grab(rb, r"keeps up with ([0-9]+) hour-long LIVEs", int)
figure("render of one 30 s clip, every format, one core", rt, "s", "≤ 0.5x real time", rx is not None and rx <= 0.5, f"{rx}x real time, {rbase}x a plain cut-and-encode; one core keeps up with {lives} hour-long LIVEs posting 20 clips")
sr = grab(rb, r"edges snapped to natural breaks first \(looking ([0-9.]+ s)\)\s+[0-9.]+ s\s+([0-9.]+)x", str)
sx = grab(rb, r"edges snapped to natural breaks first .*?\s+([0-9.]+)x the every-format render")
figure("render with edges snapped to natural breaks, against the every-format render", sx, "x", "≤ 1.2", sx is not None and sx <= 1.2, f"looking for breaks: {sr}")
sn = read("snapping.txt")
before = grab(sn, r"ending inside a caption: before ([0-9.]+)")
after = grab(sn, r"ending inside a caption: before [0-9.]+, after ([0-9.]+)")
detail = grab(sn, r"after [0-9.]+ \((.*)\)", str)
figure("share of rendered clips ending inside a caption (generated LIVEs with speech)", after, "", "0", after == 0, f"before snapping {before}; {detail}")
sp = read("speech.txt")
def speech(settings):
    line = next((l for l in sp.splitlines() if l.startswith(f"speech recognition ({settings})")), "")
    field = lambda pattern: grab(line, pattern)
    return {k: field(p) for k, p in {
        "clean": r"generated speech clean ([0-9.]+)", "music": r"under music ([0-9.]+), under crowd",
        "crowd": r"under crowd noise ([0-9.]+)", "human": r"human readings clean ([0-9.]+)",
        "human_music": r"readings clean [0-9.]+, under music ([0-9.]+)", "rtf": r"real-time factor ([0-9.]+)",
    }.items()}
d, f = speech("pocketsphinx en-US"), speech("pocketsphinx en-US, fast settings")
figure("speech recognition (PocketSphinx, default settings): word error rate, generated speech, clean", d["clean"], "", "≤ 0.25", d["clean"] is not None and d["clean"] <= 0.25,
       f"under the background music {d['music']}, under a crowd's murmur {d['crowd']} (espeak-ng's voice; fast settings {f['clean']})")
figure("speech recognition: word error rate, human readings (pocketsphinx-testdata), clean", d["human"], "", "≤ 0.25", d["human"] is not None and d["human"] <= 0.25,
       f"fast settings {f['human']}")
figure("speech recognition: word error rate, human readings under the background music", d["human_music"], "", "≤ 0.40", d["human_music"] is not None and d["human_music"] <= 0.40,
       f"fast settings {f['human_music']}")
figure("speech recognition: real-time factor on one core, segment-length audio", d["rtf"], "", "≤ 0.3", d["rtf"] is not None and d["rtf"] <= 0.3,
       f"fast settings (`--speech fast`) {f['rtf']}; the program's start included")
ends = re.search(r"as found ([0-9.]+), snapped without recognition ([0-9.]+), with recognition ([0-9.]+)", sp)
figure("share of rendered clips ending inside a spoken sentence, no captions from the platform, speech recognised", float(ends.group(3)) if ends else None, "", "0", ends is not None and float(ends.group(3)) == 0,
       f"snapped on pauses and cuts alone {ends.group(2)}; as found {ends.group(1)}" if ends else "scripts/speech-figure.sh")
k = read("kotlin.txt")
call = grab(k, r"kotlin bench: .*no-op.*median\s+([0-9]+) ns/call")
struct_ns = grab(k, r"kotlin bench: JNA: new RustCallStatus.*median\s+([0-9]+) ns/call")
bare_ns = grab(k, r"kotlin bench: JNA: direct call, no structure.*median\s+([0-9]+) ns/call")
figure("Kotlin → core call (JNA, no-op)", call and call / 1000, "µs", "≤ 5", call is not None and call <= 5000,
       f"a bare JNA call {bare_ns / 1000:.2f} µs; allocating the call-status structure stock uniffi passes, alone, {struct_ns / 1000:.2f} µs"
       if struct_ns is not None and bare_ns is not None else "")
ok_full = grab(k, r"full sync over OkHttp: median ([0-9]+) ms")
own_full = grab(k, r"full sync over own stack: median ([0-9]+) ms")
figure("full sync, 1,000 recordings + 20,000 highlights, over the phone's transport (OkHttp on the JVM)", ok_full, "ms", "≤ 1000",
       ok_full is not None and ok_full <= 1000, f"over the library's own stack in the same run: {own_full:.0f} ms" if own_full else "")
ok_req = grab(k, r"idle resync over OkHttp: ([0-9]+) request", int)
ok_bytes = grab(k, r"idle resync over OkHttp: [0-9]+ request\(s\), ([0-9]+) bytes", int)
own_bytes = grab(k, r"idle resync over own stack: [0-9]+ request\(s\), ([0-9]+) bytes", int)
figure("idle resync over the phone's transport (OkHttp on the JVM)", ok_bytes, "bytes", "1 request, ≤ 1024 bytes",
       ok_req == 1 and ok_bytes is not None and ok_bytes <= 1024, f"{ok_req} request(s); own stack in the same run: {own_bytes} bytes")
c = read("cluster.txt")
cl = {int(m.group(1)): m for m in re.finditer(r"^\s*([12])\s+([0-9]+)\s+([0-9.]+)\s+([0-9.]+)\s+([0-9.]+)\s+([0-9]+)\s+([0-9]+)\s*$", c, re.M)}
per_live = grab(c, r"\(([0-9]+) events/s per LIVE\)", int)
less_sender = {int(m.group(1)): (float(m.group(2)), float(m.group(3))) for m in re.finditer(
    r"^\s*([12]) worker\(s\): load sender ([0-9.]+) CPU-s; machine less sender ([0-9.]+) CPU-s per million events", c, re.M)}
for n in (1, 2):
    m = cl.get(n)
    eps = int(m.group(2)) if m else None
    figure(f"distributed mode, end to end, {n} worker{'s' if n > 1 else ''}", eps, "events/s", "≥ 150,000" if n == 1 else "printed",
           (eps is not None and eps >= 150_000) if n == 1 else None,
           f"worker CPU {m.group(3)} s, API server {m.group(4)} s, whole machine {m.group(5)} s (load sender {less_sender.get(n, (0, 0))[0]} s)" if m else "scripts/cluster-bench.sh")
m = cl.get(1)
per_cpu = int(m.group(6)) if m else None
figure("distributed mode, events per worker CPU-second", per_cpu, "events", "≥ 1,000,000", per_cpu is not None and per_cpu >= 1_000_000,
       "1-worker run; the worker decodes, applies, scores and commits" if m else "scripts/cluster-bench.sh")
ls = less_sender.get(1)
figure("distributed mode, machine CPU-seconds per million events, less the load sender", ls and ls[1], "CPU-s", "≤ 8", ls is not None and ls[1] <= 8,
       "1-worker run: worker, API server, PostgreSQL, NATS" if ls else "")
pg = re.search(r"^\s*1 worker\(s\): postgres ([0-9]+) commits and ([0-9]+) rows written per million events; log ([0-9]+) bytes on disk per event", c, re.M)
figure("distributed mode, PostgreSQL writes per million events", int(pg.group(2)) if pg else None, "rows", "printed", None,
       f"in {int(pg.group(1)):,} committed transactions, the API server's reads included (1-worker run, pg_stat_database)" if pg else "")
figure("distributed mode, event log on disk per event", int(pg.group(3)) if pg else None, "bytes", "printed", None,
       "JetStream's store directory after the 1-worker run, compact entries" if pg else "")
api = re.search(r"API server alone: ([0-9]+) events/s into the log, ([0-9.]+) API CPU-s \(([0-9]+) events per API CPU-second\)", c)
figure("distributed mode, the API server alone into the log", int(api.group(1)) if api else None, "events/s", "printed", None,
       f"{int(api.group(3)):,} events per API CPU-second; no worker running" if api else "")
ceiling = grab(c, r"engine alone: ([0-9]+) events per CPU-second", int)
figure("engine alone on the cluster workload (the ceiling)", ceiling, "events per CPU-second", "printed", None, "one thread, the same events in the same batches")
m = cl.get(1)
figure("LIVEs one worker keeps up with in real time", int(m.group(7)) if m else None, "LIVEs", "printed", None,
       f"at {per_live} events/s per LIVE (the cluster workload), from the 1-worker run" if m else "")
# The 100,000-LIVE evening, sized from the 1-worker and API-alone runs (docs/sizing.md).
if (not only or "cluster" in only) and m and api and pg and ls:
    lives, rate = 100_000, per_live
    load = lives * rate
    worker_rate, api_rate = int(m.group(6)), int(api.group(3))
    rest_per_m = ls[1] - float(m.group(3)) / (total / 1e6) - float(api.group(2)) / (total / 1e6) if (total := grab(c, r"([0-9]+) events \(", int)) else None
    per_m = load / 1e6
    gib_hour = load * int(pg.group(3)) * 3600 / 2**30
    sizing = [
        "# Sizing a 100,000-LIVE evening",
        "",
        f"Written by `scripts/figures.sh` from the cluster benchmark it just ran (`scripts/cluster-bench.sh`, at {os.environ.get('FIGURES_MEASURED_AT', 'this commit').split(', ')[-1]}):",
        "what was **measured** on this 2-core machine, and what is **extrapolated** from it, linearly, to an",
        "evening of 100,000 concurrent LIVEs. Extrapolated figures assume the workload's mix (LIVEs of 60 to",
        f"2,500 viewers, {rate} events/s each on average) and that the per-core costs hold on bigger",
        "machines; they are a starting point for a load test, not a substitute for one.",
        "",
        "| | measured (per core or per event) | extrapolated to 100,000 LIVEs |",
        "|---|---|---|",
        f"| events | {rate} events/s per LIVE | {load:,.0f} events/s |",
        f"| workers (decode, apply, score, commit) | {worker_rate:,} events per CPU-second | {load / worker_rate:.1f} cores busy; {2 * load / worker_rate:.0f} cores at half load |",
        f"| API servers (check, split, publish) | {api_rate:,} events per CPU-second | {load / api_rate:.1f} cores busy; {2 * load / api_rate:.0f} cores at half load |",
        f"| PostgreSQL and NATS together | {rest_per_m:.1f} CPU-s per million events | {per_m * rest_per_m:.1f} cores busy |" if rest_per_m is not None else "",
        f"| PostgreSQL writes | {int(pg.group(2)):,} rows in {int(pg.group(1)):,} commits per million events | {per_m * int(pg.group(2)):,.0f} rows/s in at most {per_m * int(pg.group(1)):,.0f} commits/s (reads included; runs get longer under load, so fewer) |",
        f"| event log (JetStream) on disk | {int(pg.group(3))} bytes per event | {gib_hour:,.0f} GiB per hour; {gib_hour * 24 * 7 / 1024:,.1f} TiB for the 7 days kept |",
        "",
        "What stays small: the store keeps row by row only what the app and the renderer read back",
        "(starts, ends, pins, captions, orders); the audience's events live in the log, whose retention",
        "(7 days by default, `--log-retention-hours` on `serve` and `worker`) is what the disk line scales with. Not",
        "measured here: NATS clustering and stream replicas (each replica multiplies the log's disk and",
        "its share of CPU), PostgreSQL on separate machines, renders and speech recognition (a core each",
        "per LIVE being transcribed; see [backend.md](backend.md)).",
        "",
    ]
    open("docs/sizing.md", "w").write("\n".join(line for line in sizing if line is not None))

r = read("reliability.txt")
ck = re.search(r"core crash test: ([0-9]+) kills, ([0-9]+) acknowledged actions \(([^)]*)\); lost ([0-9]+), duplicated ([0-9]+)", r)
figure("core SIGKILL suite", int(ck.group(2)) if ck else None, "actions acknowledged", "0 lost, 0 duplicated, every kind", bool(ck) and ck.group(4) == "0" and ck.group(5) == "0", f"{ck.group(1)} kills; {ck.group(3)}" if ck else "")
sk = re.search(r"server crash test: ([0-9]+) kills, ([0-9]+) acknowledged batches \(([0-9]+) re-sent[^)]*\); lost ([0-9]+), stored in part or twice ([0-9]+)", r)
figure("server SIGKILL suite", int(sk.group(2)) if sk else None, "batches acknowledged", "each stored exactly once", bool(sk) and sk.group(4) == "0" and sk.group(5) == "0", f"{sk.group(1)} kills, {sk.group(3)} re-sent after a lost answer" if sk else "")
fs = re.search(r"fault soak: ([0-9]+) faulty responses over ([0-9]+) rounds.*?; ([0-9]+) actions, 0 lost, 0 duplicated, 0 panics", r)
figure("fault soak", int(fs.group(1)) if fs else None, "faulty responses", "0 lost, 0 duplicated, 0 panics", bool(fs), f"{fs.group(3)} actions" if fs else "")
mode = grab(r, r"reliability mode: (\w+)", str)
failed = len(re.findall(r"test result: FAILED|panicked", r)) if mode else None
depth = "fuzzing 5,000 cases per target, schemathesis 500 per operation" if mode == "full" else "the CI slice"
figure(f"reliability suites ({depth})", failed, "failures", "0", failed == 0 if mode else None, "" if mode else "not run to the end")

lf = read("learning.txt")
def ratio(name):
    m = re.search(rf"FIGURE {name} x([0-9.]+) ± ([0-9.]+)", lf)
    return (float(m.group(1)), float(m.group(2))) if m else (None, None)
held = "20 held-out seeds and moment pool of the simulated population (200 sellers, 40 LIVEs each), over today's fixed bar and hash assignment"
def row(what, name, goal, ok, note):
    v, c = ratio(name)
    figure(what, v, "x", goal, None if ok is None else (v is not None and ok(v, c)), f"± {c} (95 %); {note}" if v is not None else "")
row("per-seller learning: LIVE entries plus orders per posted clip", "learning_converted_per_post", "≥ 1.20x", lambda v, c: v - c >= 1.2, held + "; a removed clip earns nothing")
row("per-seller learning: seller removals per LIVE", "learning_removals_per_live", "≤ 0.70x", lambda v, c: v + c <= 0.7, held)
row("per-seller learning: posts per LIVE", "learning_posts_per_live", "≥ 0.90x", lambda v, c: v - c >= 0.9, held + "; auto-posts and posts by hand")
row("per-seller learning: auto-posts per LIVE", "learning_auto_posts_per_live", "printed", None, held)
row("per-seller learning: entries plus orders per clip that stayed up", "learning_converted_per_kept", "printed", None, held + "; removed clips left out")
row("the bar alone: removals per LIVE", "bar_only_removals_per_live", "printed", None, "learned bar, today's hash assignment")
row("the bar alone: posts per LIVE", "bar_only_posts_per_live", "printed", None, "learned bar, today's hash assignment")
row("the bar alone: entries plus orders per posted clip", "bar_only_converted_per_post", "printed", None, "learned bar, today's hash assignment")
row("the format choice alone: entries plus orders per clip that stayed up", "format_only_converted_per_kept", "printed", None, "today's bar, learned format")
row("a model variation: entries plus orders per posted clip", "variation_converted_per_post", "printed", None, "sellers remove 0.5 below taste and 0.1 above, post by hand 0.2 a full point above taste; settings not tuned to it")
row("a model variation: removals per LIVE", "variation_removals_per_live", "printed", None, "the same variation")
row("a model variation: posts per LIVE", "variation_posts_per_live", "printed", None, "the same variation")
rg = re.search(r"FIGURE learning_regret_400 ([0-9.]+) vs uniform ([0-9.]+) \(([0-9.]+)x\), global best ([0-9.]+)", lf)
figure("format bandit: regret after 400 clips per seller, over the uniform assignment's", float(rg.group(3)) if rg else None, "x", "< 0.5x", bool(rg) and float(rg.group(3)) < 0.5, f"{rg.group(1)} vs {rg.group(2)} expected entries plus orders lost per seller (everyone on the variant best for everyone: {rg.group(4)}); results learnt a LIVE of 5 clips at a time; 20 held-out seeds" if rg else "")
rh = re.search(r"FIGURE learning_regret_halves first 200 ([0-9.]+), second 200 ([0-9.]+)", lf)
figure("format bandit: regret added in clips 201-400, over clips 1-200", float(rh.group(2)) / float(rh.group(1)) if rh else None, "x", "< 1x", bool(rh) and float(rh.group(2)) < float(rh.group(1)), f"expected entries plus orders per seller lost: clips 1-200 {rh.group(1)}, clips 201-400 {rh.group(2)}" if rh else "")

cpu = os.cpu_count()
mem = ""
try:
    mem = f"{int(open('/proc/meminfo').read().split()[1]) / 1024 / 1024:.0f} GiB"
except Exception:
    pass
commit = os.environ.get("FIGURES_MEASURED_AT") or subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
fresh = dict(rows)
table = [fresh.pop(what, line) for what, line in published] + list(fresh.values()) if only else [line for _, line in rows]
doc = [
    "# Figures",
    "",
    f"Measured by `scripts/figures.sh` on {datetime.date.today().isoformat()}, commit {commit}, on {platform.machine()} "
    f"with {cpu} cores and {mem} of memory. Nothing here is copied by hand: run the script to refresh it.",
    "",
    "| figure | value | goal | verdict | notes |",
    "|---|---|---|---|---|",
    *table,
    "",
    "What an attacker on the open internet tries, and what the server answers: [attacks.md](attacks.md).",
    "",
]
open("docs/figures.md", "w").write("\n".join(doc))
print("\n".join(doc))
PY
