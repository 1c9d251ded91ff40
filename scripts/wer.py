"""Word error rate, as the benchmarks measure transcripts: word-level edit
distance over the reference, after lowercasing and dropping punctuation.
Shared by scripts/bench-transcribe.py and scripts/bench-pipeline.py."""

import re


def norm(s):
    return re.sub(r"[^a-z0-9 ]+", " ", s.lower()).split()


def wer(ref, hyp):
    r, h = norm(ref), norm(hyp)
    prev = list(range(len(h) + 1))
    for i, rw in enumerate(r):
        cur = [i + 1] + [0] * len(h)
        for j, hw in enumerate(h):
            cur[j + 1] = min(prev[j] + (rw != hw), prev[j + 1] + 1, cur[j] + 1)
        prev = cur
    return prev[len(h)] / max(len(r), 1)
