"""Word error rate, as the benchmarks measure transcripts: word-level edit
distance over the reference, after lowercasing and dropping punctuation.
Shared by scripts/bench-transcribe.py and scripts/bench-pipeline.py."""

import re


def norm(s):
    # Letters of every script count (German's umlauts and ß too): with
    # [a-z0-9] only, "Büro" was two words, "b" and "ro".
    return re.sub(r"[\W_]+", " ", s.lower()).split()


def wer(ref, hyp):
    r, h = norm(ref), norm(hyp)
    prev = list(range(len(h) + 1))
    for i, rw in enumerate(r):
        cur = [i + 1] + [0] * len(h)
        for j, hw in enumerate(h):
            cur[j + 1] = min(prev[j] + (rw != hw), prev[j + 1] + 1, cur[j] + 1)
        prev = cur
    return prev[len(h)] / max(len(r), 1)


def sentences_lost(sentences, hyp, keep=0.4):
    """Sentences of the reference that the transcript lost: those of whose
    words the word-level alignment (the one WER counts on) matches fewer
    than `keep`. A misheard sentence keeps half or more of its words; a
    dropped one none (crates/aima/tests/api/transcribe.rs checks the same)."""
    ref, owner = [], []
    for k, s in enumerate(sentences):
        for w in norm(s):
            ref.append(w)
            owner.append(k)
    h = norm(hyp)
    d = [[0] * (len(h) + 1) for _ in range(len(ref) + 1)]
    for i in range(len(ref) + 1):
        d[i][0] = i
    for j in range(len(h) + 1):
        d[0][j] = j
    for i in range(1, len(ref) + 1):
        for j in range(1, len(h) + 1):
            d[i][j] = min(d[i - 1][j - 1] + (ref[i - 1] != h[j - 1]), d[i - 1][j] + 1, d[i][j - 1] + 1)
    hit = [False] * len(ref)
    i, j = len(ref), len(h)
    while i > 0 and j > 0:
        same = ref[i - 1] == h[j - 1]
        if d[i][j] == d[i - 1][j - 1] + (not same):
            hit[i - 1] = same
            i, j = i - 1, j - 1
        elif d[i][j] == d[i - 1][j] + 1:
            i -= 1
        else:
            j -= 1
    lost = []
    for k, s in enumerate(sentences):
        mine = [x for x, o in zip(hit, owner) if o == k]
        if sum(mine) < keep * len(mine):
            lost.append(s)
    return lost
