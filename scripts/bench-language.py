#!/usr/bin/env python3
"""Language benchmark, transcription part: the same twelve sentences in
German and in English (crates/aima/tests/bilingual.json), read by espeak-ng,
transcribed by AIMA's default model (Whisper base, multilingual, language
detected) and by the English-only tiny.en it replaced, side by side with
faster-whisper on the same weights, in one run.

Reports per language: the language detected, word error rate, real-time
factor (end to end, model load included) and peak memory; writes the table
into BENCHMARKS.md between the `language-transcribe` markers. Run through
scripts/bench-language.sh, which also measures search by meaning across
languages (crates/aima/benches/language.rs).
"""
import json
import os
import subprocess
import sys
import tempfile
import wave

from benchlib import timed, write_block  # scripts/benchlib.py
from wer import wer  # scripts/wer.py

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
THREADS = int(os.environ.get("AIMA_BENCH_THREADS", "2"))
with open(os.path.join(ROOT, "crates/aima/tests/bilingual.json")) as f:
    TEXTS = json.load(f)
VOICES = {"de": "de", "en": "en-us"}


def make(dir_, lang):
    """The language's sentences, 0.6 s apart, as 16 kHz mono WAV."""
    cmd = ["ffmpeg", "-nostdin", "-v", "error", "-y"]
    filt = ""
    for i, s in enumerate(TEXTS[lang]):
        p = os.path.join(dir_, f"{lang}{i}.wav")
        subprocess.run(["espeak-ng", "-v", VOICES[lang], "-s", "140", "-w", p, s], check=True)
        cmd += ["-i", p]
        filt += f"[{i}:a]aresample=16000,apad=pad_dur=0.6[a{i}];"
    n = len(TEXTS[lang])
    filt += "".join(f"[a{i}]" for i in range(n)) + f"concat=n={n}:v=0:a=1"
    out = os.path.join(dir_, f"{lang}.wav")
    subprocess.run(cmd + ["-filter_complex", filt, "-ac", "1", out], check=True)
    with wave.open(out) as w:
        return out, w.getnframes() / w.getframerate()


FASTER_WHISPER = r"""
import json, sys
from faster_whisper import WhisperModel
model = WhisperModel(sys.argv[1], device="cpu", compute_type="int8", cpu_threads=int(sys.argv[3]))
lang = None if sys.argv[4] == "detect" else sys.argv[4]
segments, info = model.transcribe(sys.argv[2], beam_size=1, temperature=0.0, language=lang, vad_filter=True)
text = " ".join(s.text.strip() for s in segments)
print(json.dumps({"text": text, "language": info.language}))
"""


def main():
    aima, models = sys.argv[1], sys.argv[2]
    env = dict(os.environ, AIMA_CONFIG="/nonexistent", RUST_LOG="warn")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for lang in ["en", "de"]:
            audio, seconds = make(tmp, lang)
            reference = " ".join(TEXTS[lang])

            def aima_row(model, label):
                out, secs, rss = timed([aima, "analyze", audio, "--pipeline", "transcribe", "--format", "json",
                                        "--models-dir", models, "--options",
                                        json.dumps({"transcribe": {"model": model}})], env=env)
                items = json.loads(out)["items"]
                text = " ".join(i["data"]["text"] for i in items)
                heard = sorted({i["data"]["language"] for i in items})
                rows.append((lang, label, ",".join(heard), seconds, secs, rss, wer(reference, text)))

            def fw_row(model, language, label):
                out, secs, rss = timed([sys.executable, "-c", FASTER_WHISPER, os.path.join(models, model), audio,
                                        str(THREADS), language])
                v = json.loads(out)
                rows.append((lang, label, v["language"], seconds, secs, rss, wer(reference, v["text"])))

            aima_row("faster-whisper-base", "AIMA, `faster-whisper-base` (the default: Whisper base, multilingual, language detected)")
            fw_row("faster-whisper-base", "detect", "faster-whisper 1.2, the same base weights, language detected, its VAD")
            aima_row("faster-whisper-tiny.en", "AIMA, `faster-whisper-tiny.en` (the former default, English only)")
            fw_row("faster-whisper-tiny.en", "en", "faster-whisper 1.2, the same tiny.en weights, its VAD")

    table = ("| speech | engine | language heard | audio s | wall s | real-time factor | peak RSS MiB | WER |\n"
             "|---|---|---|---|---|---|---|---|\n")
    for lang, label, heard, seconds, secs, rss, w in rows:
        name = {"de": "German", "en": "English"}[lang]
        table += (f"| {name} | {label} | {heard} | {seconds:.0f} | {secs:.1f} | {seconds / secs:.1f}x | "
                  f"{rss:.0f} | {w * 100:.1f} % |\n")
    print(table)
    write_block("language-transcribe", f"{THREADS} threads each, release build, end to end (process start to transcript, model load included).", table)


if __name__ == "__main__":
    main()
