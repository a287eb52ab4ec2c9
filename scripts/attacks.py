#!/usr/bin/env python3
"""What an attacker on the open internet tries, against a running server with its shipped limits.

Prints each attack with the server's answers and the process's peak resident memory (VmHWM)
after it, and fails when an answer is not the one the hardening promises. Standard library only.
Usage: attacks.py URL SERVER_PID DATA_DIR SERVICE_TOKEN SELLER_ID SELLER_TOKEN [REPORT.md]
With REPORT.md, the same lines are written there as a table (scripts/abuse.sh --publish writes
docs/attacks.md).
"""
import collections, glob, http.client, json, os, socket, subprocess, sys, tempfile, time, urllib.parse

import api

url, pid, data, service, seller_id, seller = sys.argv[1:7]
report_path = sys.argv[7] if len(sys.argv) > 7 else None
rows = []
host, port = urllib.parse.urlparse(url).hostname, urllib.parse.urlparse(url).port
failures = []


def peak_mib():
    with open(f"/proc/{pid}/status") as f:
        return next(int(l.split()[1]) for l in f if l.startswith("VmHWM")) // 1024


def request(method, path, token=None, body=None, headers=None, source="127.0.0.1", scheme="Bearer"):
    return api.request(host, port, method, path, token, body, headers, source, scheme)


def report(name, answer, expect):
    ok = expect
    print(f"{'ok  ' if ok else 'FAIL'} {name}: {answer}; peak RSS {peak_mib()} MiB")
    rows.append(f"| {name} | {str(answer).replace('|', '/')} | {peak_mib()} MiB | {'held' if ok else '**FAILED**'} |")
    if not ok:
        failures.append(name)


def counts(statuses):
    return ", ".join(f"{n} x {s}" for s, n in sorted(collections.Counter(statuses).items()))


# 1. Guessing tokens from one address.
statuses = [request("GET", "/v1/settings", token=f"hlt_guess{i}")[0] for i in range(1000)]
report("1,000 requests with bad tokens", counts(statuses), 429 in statuses and statuses.count(401) <= 300)
status, headers, _ = request("GET", "/v1/settings", token=seller, source="127.0.0.2")
report("meanwhile, a seller from another address", status, status == 200)

# 2. One seller flooding the API.
statuses = [request("GET", "/v1/settings", token=seller, source="127.0.0.3")[0] for _ in range(300)]
report("300 requests with one seller token", counts(statuses), 429 in statuses and statuses[0] == 200)

# 3. One address holding every connection.
held, refused = [], 0
for _ in range(100):
    s = socket.create_connection((host, port), source_address=("127.0.0.4", 0))
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
    held.append(s)
time.sleep(0.5)
for s in held:
    s.settimeout(0.2)
    try:
        refused += s.recv(64).startswith(b"HTTP/1.1 429")
    except OSError:
        pass
status = request("GET", "/healthz", source="127.0.0.5")[0]
for s in held:
    s.close()
report("100 half-open connections from one address", f"{refused} refused with 429, another address {status}", refused >= 30 and status == 200)

# 4. Times from the end of time.
now = int(time.time() * 1000)
events = [{"ts_ms": now, "live_id": "attack-live", "type": "live_start", "title": "t"},
          {"ts_ms": 2**63 - 1, "live_id": "attack-live", "type": "comment", "user_id": "u", "text": "x"}]
status, _, body = request("POST", "/v1/ingest/events", token=service, body={"seller_id": seller_id, "events": events})
report("an event at ts_ms = i64::MAX", f"{status} {body.decode()}", status == 200 and json.loads(body)["out_of_window"] == 1)
status, _, body = request("PUT", f"/v1/ingest/lives/attack-live/segments?start_ms={2**63 - 1}", token=service, body=b"\x47" * 188)
report("a segment at start_ms = i64::MAX", f"{status} {body.decode()}", status == 422)

# 5. A seller squatting the ingestion service's idempotency key.
status, _, _ = request("PATCH", "/v1/settings", token=seller, body={"highlights_on": True}, headers={"Idempotency-Key": "ingest:batch-42"})
events = [{"ts_ms": now + 1, "live_id": "attack-live", "type": "comment", "user_id": "u", "text": "hi"}]
status2, _, body = request("POST", "/v1/ingest/events", token=service, body={"seller_id": seller_id, "events": events}, headers={"Idempotency-Key": "batch-42"})
report("seller key 'ingest:batch-42', then the service's batch-42", f"seller {status}, service {status2} {body.decode()}", status2 == 200 and json.loads(body)["accepted"] == 1)

# 6. Heads and schemes.
status, headers, body = request("GET", "/v1/lives?cursor=" + "a" * 9000, token=seller, source="127.0.0.6")
report("a 9 KB URI", f"{status} {json.loads(body)['code']}", status == 414)
many = {f"X-H{i}": "v" for i in range(80)}
status, headers, body = request("GET", "/healthz", headers=many, source="127.0.0.6")
report("80 header fields", f"{status} {json.loads(body)['code']}", status == 431)
status = request("GET", "/v1/settings", token=seller, source="127.0.0.7", scheme="bearer")[0]
report("'bearer' in lower case", status, status == 200)

# 7. Slow readers of a large posted video (needs ffmpeg: the server renders the clip first).
def posted_video():
    work = tempfile.mkdtemp()
    seg = os.path.join(work, "seg.ts")
    subprocess.run(["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-t", "6",
                    "-c:v", "libx264", "-f", "mpegts", seg], check=True)
    start = int(time.time() * 1000) - 60_000
    events = [{"ts_ms": start, "live_id": "big-live", "type": "live_start", "title": "Big"},
              {"ts_ms": start + 10, "live_id": "big-live", "type": "product_pin", "product_id": "p1", "name": "Bag"}]
    request("POST", "/v1/ingest/events", token=service, body={"seller_id": seller_id, "events": events})
    for i in range(2):
        path = f"/v1/ingest/lives/big-live/segments?start_ms={start + i * 6000}"
        request("PUT", path, token=service, body=open(seg, "rb").read())
    clip = {"live_id": "big-live", "start_ms": start, "end_ms": start + 10_000, "product_id": "p1"}
    _, _, body = request("POST", "/v1/videos", token=seller, body=clip, headers={"Idempotency-Key": "big"}, source="127.0.0.8")
    answer = json.loads(body)
    if "id" not in answer:
        raise SystemExit(f"creating the video: {answer}")
    hid = answer["id"]
    for _ in range(300):
        _, _, body = request("GET", "/v1/lives/big-live/highlights", token=seller, source="127.0.0.8")
        h = next((h for h in json.loads(body).get("highlights", []) if h["id"] == hid), {})
        if h.get("status") == "posted":
            return hid
        time.sleep(0.2)
    raise SystemExit(f"the video was not posted: {h}")


if subprocess.run(["which", "ffmpeg"], capture_output=True).returncode == 0:
    hid = posted_video()
    files = [f for f in glob.glob(os.path.join(data, "media", "videos", "**", "*"), recursive=True) if os.path.isfile(f)]
    video = max(files, key=os.path.getsize)
    with open(video, "wb") as f:
        f.write(b"\0" * (64 << 20))
    before = peak_mib()
    readers = []
    for _ in range(16):
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.bind(("127.0.0.9", 0))
        s.connect((host, port))
        s.sendall(f"GET /v1/media/{hid}/video.mp4 HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        readers.append(s)
    time.sleep(2)
    status = request("GET", f"/v1/sellers/{seller_id}/feed", source="127.0.0.10")[0]
    grew = peak_mib() - before
    report("16 clients asking for a 64 MiB video and never reading", f"peak RSS +{grew} MiB, feed {status}", grew < 64 and status == 200)
    for s in readers:
        s.close()
    for rng, expect in [("bytes=0-99", 206), ("BYTES=0-99", 206), ("bytes=0-1,5-6", 200), ("bytes=999999999-", 416)]:
        c = http.client.HTTPConnection(host, port, timeout=30, source_address=("127.0.0.11", 0))
        c.request("GET", f"/v1/media/{hid}/video.mp4", headers={"Range": rng})
        r = c.getresponse()
        extra = r.getheader("Content-Range")
        c.close()
        report(f"Range {rng}", f"{r.status} Content-Range {extra}", r.status == expect)
else:
    print("SKIPPED: slow readers and ranges of a large video (no ffmpeg: apt-get install ffmpeg)")

if report_path:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    with open(report_path, "w") as f:
        f.write("\n".join([
            "# Attacks and the server's answers", "",
            f"Measured by `scripts/abuse.sh --publish` on {time.strftime('%Y-%m-%d')}, commit {commit}: each attack against a "
            "local server with its shipped limits (debug build), with the server process's peak resident memory after it. "
            "The limits are in [deployment.md](deployment.md). Nothing here is copied by hand.", "",
            "| attack | answer | server peak RSS | verdict |", "|---|---|---|---|", *rows, ""]))
print(f"attacks: {len(failures)} failed{': ' + ', '.join(failures) if failures else ''}; peak RSS {peak_mib()} MiB")
sys.exit(1 if failures else 0)
