#!/usr/bin/env python3
"""The Python steps of scripts/bench-aw.sh (standard library only).

  bench-aw.py buckets URL PREFIX N
      create buckets PREFIX0 .. PREFIX{N-1} through /api/0 (a 2xx or fail)
  bench-aw.py check URL PREFIX N MODE CLIENTS RESULT_FILE
      read wrk's `bench-aw-result` line from RESULT_FILE; fail on any socket
      error or answer outside 2xx, or when the events stored in the buckets
      do not match the requests wrk saw answered; print the JSON line
  bench-aw.py table RESULTS NOTE
      write the table of RESULTS (JSON lines: server, operation, clients,
      result) between <!-- aw:start --> and <!-- aw:end --> in BENCHMARKS.md
"""

import datetime
import json
import os
import sys
import urllib.request

BATCH = 100  # events per request of scripts/bench-aw.lua's batch mode


def fail(msg):
    print(f"bench-aw: {msg}", file=sys.stderr)
    sys.exit(1)


def call(method, url, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            raw = r.read()
            return r.status, (json.loads(raw) if raw else None)
    except urllib.error.HTTPError as e:
        fail(f"{method} {url} answered {e.code}: {e.read()[:300]!r}")


def create_buckets(url, prefix, n):
    for i in range(n):
        body = {"client": "bench", "type": "currentwindow", "hostname": "bench"}
        call("POST", f"{url}/api/0/buckets/{prefix}{i}", body)


def read_result(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        lines = [l for l in f if l.startswith("bench-aw-result ")]
    if len(lines) != 1:
        fail(f"{path} has no result line of scripts/bench-aw.lua (wrk failed?)")
    return json.loads(lines[0].split(" ", 1)[1])


def check(url, prefix, n, mode, clients, path):
    r = read_result(path)
    errors = {k: r[k] for k in ("connect", "read", "write", "timeout", "status", "non2xx") if r[k]}
    if errors:
        fail(f"{mode} at {url} ({prefix}*): {errors}; first answer outside 2xx: {r['first_bad']!r}")
    done = r["requests"]
    if done == 0:
        fail(f"{mode} at {url}: no request was answered")
    stored = 0
    for i in range(n):
        _, count = call("GET", f"{url}/api/0/buckets/{prefix}{i}/events/count")
        stored += int(count)
    # wrk counts answered requests; up to one per connection was still in
    # flight when it stopped and may have been stored as well.
    if mode == "batch":
        low, high = BATCH * done, BATCH * (done + clients)
    else:
        # A bucket's data changes every third heartbeat: about one event per
        # three heartbeats, more when heartbeats of one bucket overtake each
        # other (many clients), never more than one per heartbeat.
        low, high = done // 3 - n, done + clients
    if not low <= stored <= high:
        fail(f"{mode} at {url} ({prefix}*): {stored} events stored for {done} answered "
             f"requests; expected {low} to {high}")
    if mode == "heartbeat":
        _, events = call("GET", f"{url}/api/0/buckets/{prefix}0/events?limit=1000")
        if not any(e.get("duration", 0) > 0 for e in events):
            fail(f"heartbeats at {url} ({prefix}0): no event grew, nothing merged")
        if stored > 0.75 * done:
            fail(f"heartbeats at {url} ({prefix}*): {stored} events for {done} heartbeats; "
                 "about two of three should have merged")
    r["events_stored"] = stored
    print(json.dumps(r))


def fmt(x, digits):
    return f"{x:,.{digits}f}".replace(",", " ")


def table(results_path, note):
    rows = []
    with open(results_path) as f:
        for line in f:
            row = json.loads(line)
            r = row["result"]
            rps = r["requests"] / (r["duration_us"] / 1e6)
            op = row["operation"]
            events = fmt(rps * BATCH, 0) if op == "batch" else "—"
            label = {"heartbeat": "heartbeat (`pulsetime=60`, 50 buckets)",
                     "batch": "events, 100 per request (50 buckets)"}[op]
            rows.append(f"| {row['server']} | {label} | {row['clients']} | {fmt(rps, 0)} | {events} "
                        f"| {r['p50_us'] / 1000:.1f} | {r['p99_us'] / 1000:.1f} |")
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")
    body = (f"Measured {stamp} on {os.cpu_count()} cores {note}.\n\n"
            "| server | operation | clients | requests/s | events/s | p50 ms | p99 ms |\n"
            "|---|---|---|---|---|---|---|\n" + "\n".join(rows) + "\n")
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "BENCHMARKS.md")
    with open(path) as f:
        doc = f.read()
    start, end = "<!-- aw:start -->", "<!-- aw:end -->"
    a, b = doc.find(start), doc.find(end)
    if a < 0 or b < a:
        fail(f"BENCHMARKS.md has no {start} ... {end} markers; table not written")
    with open(path, "w") as f:
        f.write(doc[:a] + start + "\n" + body + doc[b:])
    print(body)


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "buckets":
        create_buckets(args[0], args[1], int(args[2]))
    elif cmd == "check":
        check(args[0], args[1], int(args[2]), args[3], int(args[4]), args[5])
    elif cmd == "table":
        table(args[0], args[1])
    else:
        fail(f"unknown command {cmd}")


if __name__ == "__main__":
    main()
