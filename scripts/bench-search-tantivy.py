"""tantivy beside AIMA's text search (crates/aima/benches/search.rs): indexes
the corpus (one segment per line) in memory, runs the queries (a word, two
words that must both match, or `pre*`), top 20 by BM25 with their stored
text, and prints {"load_s", "ms": [...]} as JSON. Same sentences and queries
as the AIMA rows; the binding's call overhead is part of each time."""
import json
import sys
import time

import tantivy

corpus, queries = sys.argv[1], sys.argv[2]
builder = tantivy.SchemaBuilder()
builder.add_text_field("body", stored=True)
builder.add_integer_field("n", stored=True)
schema = builder.build()
index = tantivy.Index(schema)

t0 = time.perf_counter()
writer = index.writer(heap_size=200_000_000, num_threads=2)
with open(corpus, encoding="utf-8") as f:
    for n, line in enumerate(f):
        writer.add_document(tantivy.Document(body=line.rstrip("\n"), n=n))
writer.commit()
writer.wait_merging_threads()
index.reload()
load_s = time.perf_counter() - t0

searcher = index.searcher()


def query(q):
    if q.endswith("*"):
        return tantivy.Query.regex_query(schema, "body", q[:-1] + ".*")
    terms = [tantivy.Query.term_query(schema, "body", w) for w in q.split()]
    if len(terms) == 1:
        return terms[0]
    return tantivy.Query.boolean_query([(tantivy.Occur.Must, t) for t in terms])


ms, found = [], 0
with open(queries, encoding="utf-8") as f:
    for q in f.read().splitlines():
        t = time.perf_counter()
        hits = searcher.search(query(q), 20).hits
        docs = [searcher.doc(address)["body"] for _, address in hits]
        ms.append((time.perf_counter() - t) * 1000)
        found += bool(docs)
print(json.dumps({"load_s": load_s, "ms": ms, "found": found}))
