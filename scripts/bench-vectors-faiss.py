"""faiss beside AIMA's vector search (crates/aima/benches/vectors.rs): reads
the vectors and queries (little-endian float32, DIMS per row) and the exact
top 10 of each query, builds an exact IndexFlatIP and an IndexHNSWFlat
(M 16 and efConstruction 64, pgvector's defaults; efSearch 100, as AIMA asks
pgvector), runs each query alone (as a search request would), and prints
{"flat"|"hnsw": {"load_s", "ms": [...], "recall"}} as JSON. The binding's
call overhead is part of each time."""
import json
import sys
import time

import faiss
import numpy as np

vectors, queries, truth, dims = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
data = np.fromfile(vectors, dtype="<f4").reshape(-1, dims)
qs = np.fromfile(queries, dtype="<f4").reshape(-1, dims)
with open(truth, encoding="utf-8") as f:
    exact = json.load(f)
faiss.omp_set_num_threads(2)


def run(index):
    t0 = time.perf_counter()
    index.add(data)
    load_s = time.perf_counter() - t0
    ms, hits = [], 0
    for q, t in zip(qs, exact):
        t1 = time.perf_counter()
        _, ids = index.search(q.reshape(1, -1), 10)
        ms.append((time.perf_counter() - t1) * 1000)
        hits += len(set(ids[0].tolist()) & set(t))
    return {"load_s": load_s, "ms": ms, "recall": hits / (10 * len(qs))}


hnsw = faiss.IndexHNSWFlat(dims, 16, faiss.METRIC_INNER_PRODUCT)
hnsw.hnsw.efConstruction = 64
out = {"flat": run(faiss.IndexFlatIP(dims))}
hnsw.hnsw.efSearch = 100
out["hnsw"] = run(hnsw)
print(json.dumps(out))
