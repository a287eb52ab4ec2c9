#!/usr/bin/env python3
"""Fills a server with what a seller has after a LIVE, through the API only, and writes the
schemathesis config that points every operation at it.

The demo's sample LIVE (45 minutes, three pinned products) is ingested with highlights on, so the
engine finds moments: auto highlights and recommendations. Two segments of a test pattern are
recorded and the seller cuts a video from them, rendered and posted, so the media routes have a
real MP4, and the recording's storyboard has its two strips. Standard library only (ffmpeg for the segments).
Usage: seed.py URL SERVICE_TOKEN SELLER_ID SELLER_TOKEN SAMPLE.jsonl CONFIG.toml
"""
import json, os, subprocess, sys, tempfile, time, urllib.parse

import api

url, service, seller_id, seller, sample, config = sys.argv[1:7]
host, port = urllib.parse.urlparse(url).hostname, urllib.parse.urlparse(url).port


def call(method, path, token, body=None, headers=None):
    status, _, payload = api.request(host, port, method, path, token, body, headers, timeout=60)
    if status >= 300:
        raise SystemExit(f"seed: {method} {path} answered {status}: {payload[:300]!r}")
    return json.loads(payload) if payload else None


call("PATCH", "/v1/settings", seller, {"highlights_on": True, "onboarding_completed": True})
events = [json.loads(line) for line in open(sample)]
live_id = events[0]["live_id"]
start = events[0]["ts_ms"]
for i in range(0, len(events), 10_000):
    call("POST", "/v1/ingest/events", service, {"seller_id": seller_id, "events": events[i:i + 10_000]},
         {"Idempotency-Key": f"seed-{i}"})

work = tempfile.mkdtemp()
segment = os.path.join(work, "seg.ts")
subprocess.run(["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-t", "6",
                "-c:v", "libx264", "-f", "mpegts", segment], check=True)
for i in range(2):
    call("PUT", f"/v1/ingest/lives/{live_id}/segments?start_ms={start + i * 6000}", service, open(segment, "rb").read())
product = next(e["product_id"] for e in events if e["type"] == "product_pin")
clip = {"live_id": live_id, "start_ms": start, "end_ms": start + 10_000, "product_id": product}
video = call("POST", "/v1/videos", seller, clip, {"Idempotency-Key": "seed-video"})["id"]

highlights = []
for _ in range(600):
    highlights = call("GET", f"/v1/lives/{live_id}/highlights", seller)["highlights"]
    made = next((h for h in highlights if h["id"] == video), {})
    if made.get("status") == "posted":
        break
    time.sleep(0.2)
else:
    raise SystemExit(f"seed: the seller's video was not posted: {made}")
for _ in range(600):
    strips = call("GET", f"/v1/lives/{live_id}/storyboard", seller)["strips"]
    if len(strips) == 2:
        break
    time.sleep(0.2)
else:
    raise SystemExit(f"seed: the recording's storyboard has {len(strips)} strips, not 2")
kinds = {}
for h in highlights:
    kinds.setdefault(h["kind"], []).append(h["id"])
auto, recommended = kinds.get("auto", []), kinds.get("recommendation", [])
if not auto or not recommended:
    raise SystemExit(f"seed: the sample LIVE gave {len(auto)} auto highlights and {len(recommended)} recommendations")
print(f"seed: LIVE {live_id} with {len(events)} events, {len(auto)} auto highlights, {len(recommended)} recommendations, "
      f"a posted video {video}")


def operation(name, **parameters):
    values = ", ".join(f'"{k}" = {json.dumps(v)}' for k, v in parameters.items())
    return f'[[operations]]\ninclude-name = "{name}"\nparameters = {{ {values} }}\n'


lines = [
    "# Written by scripts/seed.py: every id an operation takes names something the seed made.",
    "[warnings]",
    # An operation that answers only 401, 403 or 404 under its own token never reached its logic.
    'fail-on = ["missing_auth", "missing_test_data"]',
    "",
    "[parameters]",
    f'"path.live_id" = "{live_id}"',
    f'"path.seller_id" = "{seller_id}"',
    f'"body.live_id" = "{live_id}"',
    f'"body.seller_id" = "{seller_id}"',
    f'"body.product_id" = "{product}"',
    "",
    operation("POST /v1/highlights/{highlight_id}/post", **{"path.highlight_id": recommended[0]}),
    operation("POST /v1/highlights/{highlight_id}/approve", **{"path.highlight_id": auto[0]}),
    operation("DELETE /v1/highlights/{highlight_id}", **{"path.highlight_id": auto[-1]}),
    operation("GET /v1/media/{highlight_id}/video.mp4", **{"path.highlight_id": video}),
    operation("GET /v1/media/{highlight_id}/thumbnail.jpg", **{"path.highlight_id": video}),
    operation("GET /v1/media/{highlight_id}/storyboard.jpg", **{"path.highlight_id": video}),
    operation("GET /v1/lives/{live_id}/storyboard/{start_ms}", **{"path.start_ms": strips[0]["start_ms"]}),
]
open(config, "w").write("\n".join(lines))
