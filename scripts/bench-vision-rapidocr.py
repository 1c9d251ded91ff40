"""RapidOCR (Python, onnxruntime) on the images the vision benchmark uses:
the same PP-OCRv6 small models AIMA runs, direction classifier off. Prints
JSON: {image: {"ms": [per run], "lines": [text, ...]}}.

Usage: python3 bench-vision-rapidocr.py RUNS IMAGE...
"""
import json
import sys
import time

from rapidocr import RapidOCR


def main() -> None:
    runs = int(sys.argv[1])
    engine = RapidOCR(params={"Global.use_cls": False, "Global.log_level": "error"})
    out = {}
    for path in sys.argv[2:]:
        engine(path)  # warm-up: sessions and allocations
        times, lines = [], []
        for _ in range(runs):
            t0 = time.perf_counter()
            r = engine(path)
            times.append((time.perf_counter() - t0) * 1000.0)
            lines = list(r.txts or [])
        out[path] = {"ms": times, "lines": lines}
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
