"""What the benchmark scripts share: a timed run of a command, and writing a
table into BENCHMARKS.md between its markers."""
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def timed(cmd, env=None):
    """Runs a command under GNU time; returns (stdout, seconds, max RSS MiB)."""
    t0 = time.monotonic()
    p = subprocess.run(["/usr/bin/time", "-v"] + cmd, capture_output=True, text=True, env=env)
    secs = time.monotonic() - t0
    if p.returncode != 0:
        sys.exit(f"{cmd[0]} failed:\n{p.stderr[-2000:]}")
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr)
    return p.stdout, secs, int(rss.group(1)) / 1024 if rss else float("nan")


def write_block(name, header, table):
    """Replaces BENCHMARKS.md's block between `<!-- name:start -->` and
    `<!-- name:end -->` with a dated header and the table."""
    path = os.path.join(ROOT, "BENCHMARKS.md")
    doc = open(path).read()
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    if start in doc and end in doc:
        stamp = time.strftime("%Y-%m-%d", time.gmtime())
        block = f"{start}\nMeasured {stamp} on {os.cpu_count()} cores, {header}\n\n{table}{end}"
        doc = doc[: doc.index(start)] + block + doc[doc.index(end) + len(end):]
        open(path, "w").write(doc)
        print("BENCHMARKS.md updated", file=sys.stderr)
