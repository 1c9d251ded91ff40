#!/usr/bin/env python3
"""Full media pipeline benchmark: `aima analyze` with every analyzer a video
can take (probe, keyframes, transcribe, ocr, faces, objects, pose, nsfw) on
a generated 3-minute 1280x720 talk video, twice in one run: with
`--one-by-one` (stages one after another, each decoding the video itself:
how AIMA ran before) and without it (one shared decode, stages overlapping).

Reports wall seconds, real-time factor (seconds of video per second of wall
time, process start to last insight, model loading included), peak memory
and what each run found (insights per analyzer, transcript WER against the
text espeak-ng read, whether both runs found the same), and writes the table
into BENCHMARKS.md. Run through scripts/bench-pipeline.sh.

    bench-pipeline.py AIMA MODELS_DIR BENCH_DIR IMAGES_DIR

Environment: AIMA_BENCH_WRITE=1 writes the table (the shell script sets it
for its release build only), AIMA_BENCH_VIDEO_ONLY=1 makes and checks the
video and stops, AIMA_BENCH_ROUNDS=N runs both N times, alternating, and
reports the median wall time (default 1).
"""
import collections
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import wave

from wer import wer  # scripts/wer.py (this folder is on sys.path)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
PIPELINE = "probe,keyframes,transcribe,ocr,faces,objects,pose,nsfw"
# The packaged models: the defaults of `objects` (D-FINE) and `faces`
# (YuNet + SFace) come only from the hub.
# Transcription on tiny.en, the default when this table was first measured
# (the default is now the multilingual base: "Languages" in BENCHMARKS.md),
# so that reruns compare like with like.
OPTIONS = {"objects": {"model": "objects-centernet"}, "faces": {"model": "faces-blazeface-faceres"},
           "transcribe": {"model": "faster-whisper-tiny.en"}}
MODELS = ["onnxruntime", "faster-whisper-tiny.en", "ocr-ppocrv6", "nsfw-open", "objects-centernet",
          "pose-movenet-multipose", "faces-blazeface-faceres"]
# Bump when the way the video is made changes (the cache key has the rest).
VIDEO_VERSION = 1
FPS = 25

# The talk: (seconds, what is shown, espeak-ng voice, what is said). A slide
# is a list of lines (the first is the title); a photo is (file, caption).
SEGMENTS = [
    (30, ["Quarterly review", "Budget, offices and people", "Friday, 4 December 2026"], "en-us",
     "Good morning everyone and welcome to the quarterly review. "
     "Today we look at three things: the budget for the coming months, the new office, "
     "and the people who joined the team since the summer. "
     "The slides will be shared after the meeting, so there is no need to take notes. "
     "Please keep your questions for the end, when we have time for a longer discussion."),
    (25, ("astronaut.png", "Eileen Collins, our guest speaker"), "en-gb+f3",
     "Our guest today is Eileen Collins, the first woman to command a space shuttle. "
     "She flew four missions and spent more than five weeks in space. "
     "After the review she will tell us how a crew prepares for a long mission, "
     "and what a team on the ground can learn from it."),
    (25, ("camera.png", "The cameraman who filmed the launch"), "en-us+m3",
     "This is the cameraman who filmed the launch from the roof of the old building. "
     "He waited there for six hours in the cold wind before the rocket finally left. "
     "His pictures are now in the gallery on the second floor, "
     "and copies can be ordered from the front desk."),
    (30, ["Agenda", "Budget approved for April", "New office in Berlin", "Hiring two developers"], "en-gb",
     "Now to the agenda. The board approved the budget for April last week, "
     "with a little more money for travel and training than we asked for. "
     "We will open a new office in Berlin in the summer, close to the main station. "
     "And we are hiring two developers and one designer before the end of June, "
     "so please tell your friends about the open positions."),
    (25, ("coffee.png", "Coffee break at half past ten"), "en-us",
     "We take a short coffee break at half past ten. "
     "There is fresh coffee and tea in the kitchen next to the conference room, "
     "and the bakery across the street delivered cakes this morning. "
     "Please be back in your seats at a quarter to eleven."),
    (25, ("motorcycle_left.png", "The new delivery motorcycle"), "en-gb+f3",
     "The delivery team bought a new motorcycle for the city centre. "
     "It is faster than the van in the morning traffic and costs much less to run. "
     "If it works well until the autumn, we will buy a second one "
     "for the deliveries to the north of the city."),
    (20, ["Thank you", "Questions to the finance team"], "en-us+m3",
     "That is all for today. Thank you all for listening. "
     "Please send your questions about the budget to the finance team, "
     "and enjoy the rest of the day."),
]


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def wav_seconds(path):
    with wave.open(path) as w:
        return w.getnframes() / w.getframerate()


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def reference_text():
    return " ".join(s[3] for s in SEGMENTS)


def video_key(images):
    tools = [subprocess.run([t, "--version"], capture_output=True, text=True).stdout.splitlines()[:1]
             for t in ("ffmpeg", "espeak-ng")]
    photos = {s[1][0]: sha256_file(os.path.join(images, s[1][0])) for s in SEGMENTS if isinstance(s[1], tuple)}
    spec = {"version": VIDEO_VERSION, "segments": SEGMENTS, "tools": tools, "photos": photos,
            "font": sha256_file(FONT), "fps": FPS}
    return hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:16]


def speak(work, i, seconds, voice, text):
    """The segment's speech as a WAV; faster if it does not fit its slot."""
    out = os.path.join(work, f"speech{i}.wav")
    for rate in (140, 155, 170):
        run(["espeak-ng", "-v", voice, "-s", str(rate), "-w", out, text])
        if wav_seconds(out) <= seconds - 1.0:
            return out
    sys.exit(f"segment {i}: the speech takes {wav_seconds(out):.1f} s, longer than its {seconds} s")


def make_video(bench, images):
    """The talk video, made once per content (cached in BENCH)."""
    key = video_key(images)
    out = os.path.join(bench, f"talk-{key}.mp4")
    if os.path.exists(out):
        return out
    work = tempfile.mkdtemp(prefix="talk-", dir=bench)
    try:
        inputs, chains, pairs = [], [], []
        for i, (seconds, shown, voice, text) in enumerate(SEGMENTS):
            v, a = 2 * i, 2 * i + 1
            draw = f"drawtext=fontfile={FONT}:textfile={{}}:fontsize={{}}:fontcolor={{}}:x={{}}:y={{}}"
            if isinstance(shown, list):
                inputs += ["-f", "lavfi", "-i", f"color=c=0xf4f4f0:s=1280x720:r={FPS}:d={seconds}"]
                texts = []
                for j, line in enumerate(shown):
                    name = f"slide{i}_{j}.txt"
                    with open(os.path.join(work, name), "w") as f:
                        f.write(line)
                    size, y = (72, 150) if j == 0 else (48, 300 + (j - 1) * 100)
                    texts.append(draw.format(name, size, "0x202020", 110, y))
                chains.append(f"[{v}:v]{','.join(texts)},format=yuv420p,setsar=1[v{i}]")
            else:
                photo, caption = shown
                name = f"caption{i}.txt"
                with open(os.path.join(work, name), "w") as f:
                    f.write(caption)
                inputs += ["-loop", "1", "-framerate", str(FPS), "-t", str(seconds),
                           "-i", os.path.join(images, photo)]
                chains.append(
                    f"[{v}:v]format=rgb24,scale=1280:600:force_original_aspect_ratio=decrease,"
                    f"pad=1280:720:(ow-iw)/2:20+(600-ih)/2:color=0x181818,"
                    f"{draw.format(name, 40, 'white', '(w-text_w)/2', 650)},format=yuv420p,setsar=1[v{i}]")
            inputs += ["-i", speak(work, i, seconds, voice, text)]
            chains.append(f"[{a}:a]aresample=48000,apad=whole_dur={seconds},atrim=0:{seconds}[a{i}]")
            pairs.append(f"[v{i}][a{i}]")
        graph = ";".join(chains) + f";{''.join(pairs)}concat=n={len(SEGMENTS)}:v=1:a=1[v][a]"
        tmp = os.path.join(work, "talk.mp4")
        t0 = time.monotonic()
        run(["ffmpeg", "-nostdin", "-v", "error", "-y"] + inputs +
            ["-filter_complex", graph, "-map", "[v]", "-map", "[a]",
             "-c:v", "libx264", "-preset", "medium", "-crf", "23", "-pix_fmt", "yuv420p", "-r", str(FPS),
             "-c:a", "aac", "-b:a", "96k", "-ac", "1", "-movflags", "+faststart", tmp], cwd=work)
        print(f"made {out} in {time.monotonic() - t0:.0f} s", file=sys.stderr)
        for old in os.listdir(bench):
            if old.startswith("talk-") and old.endswith(".mp4"):
                os.remove(os.path.join(bench, old))
        os.replace(tmp, out)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return out


def check_video(path):
    """ffprobe: about 180 s, 1280x720 H.264 at 25 fps, an AAC audio stream."""
    p = run(["ffprobe", "-v", "error", "-show_format", "-show_streams", "-of", "json", path],
            capture_output=True, text=True)
    info = json.loads(p.stdout)
    duration = float(info["format"]["duration"])
    video = [s for s in info["streams"] if s["codec_type"] == "video"]
    audio = [s for s in info["streams"] if s["codec_type"] == "audio"]
    want = sum(s[0] for s in SEGMENTS)
    problems = []
    if abs(duration - want) > 1.0:
        problems.append(f"duration {duration:.2f} s, not {want} s")
    if len(video) != 1 or (video[0]["width"], video[0]["height"]) != (1280, 720):
        problems.append(f"video streams {[(s.get('width'), s.get('height')) for s in video]}, not one 1280x720")
    elif video[0]["codec_name"] != "h264" or video[0]["pix_fmt"] != "yuv420p" or video[0]["avg_frame_rate"] != f"{FPS}/1":
        problems.append(f"video {video[0]['codec_name']} {video[0]['pix_fmt']} {video[0]['avg_frame_rate']}")
    if len(audio) != 1 or audio[0]["codec_name"] != "aac" or float(audio[0].get("duration", 0)) < want - 1.0:
        problems.append(f"audio streams {[(s['codec_name'], s.get('duration')) for s in audio]}, not one AAC of {want} s")
    if problems:
        sys.exit(f"{path}: " + "; ".join(problems))
    v, a = video[0], audio[0]
    print(f"video ok: {duration:.2f} s, {v['width']}x{v['height']} {v['codec_name']} {v['pix_fmt']} "
          f"{v['avg_frame_rate']} fps, {v['nb_frames']} frames; audio {a['codec_name']} {a['sample_rate']} Hz, "
          f"{float(a['duration']):.2f} s; {os.path.getsize(path) / 1e6:.1f} MB", file=sys.stderr)
    return duration


def tree_rss_kib(root):
    """Resident KiB of ROOT and all its descendants (ffmpeg children)."""
    parent, rss = {}, {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                stat = f.read()
            with open(f"/proc/{d}/statm") as f:
                pages = int(f.read().split()[1])
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        parent[int(d)] = int(fields[1])
        rss[int(d)] = pages * os.sysconf("SC_PAGE_SIZE") // 1024
    total, todo = 0, [root]
    while todo:
        p = todo.pop()
        total += rss.get(p, 0)
        todo += [c for c, pp in parent.items() if pp == p]
    return total


def measure(cmd, env, out_path, err_path):
    """Runs CMD; returns (wall s, peak RSS MiB of its largest process,
    peak RSS MiB of the whole process tree sampled every 0.2 s)."""
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        t0 = time.monotonic()
        p = subprocess.Popen(cmd, stdout=out, stderr=err, env=env)
        peak = [0]
        done = threading.Event()

        def sample():
            while not done.wait(0.2):
                peak[0] = max(peak[0], tree_rss_kib(p.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        # wait4 gives this child's own usage: its ru_maxrss is the largest
        # of the process and the children it waited for.
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.monotonic() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        done.set()
        sampler.join()
    if p.returncode != 0:
        with open(err_path, errors="replace") as f:
            sys.exit(f"{' '.join(cmd)} failed ({p.returncode}):\n{f.read()[-3000:]}")
    return wall, usage.ru_maxrss / 1024, peak[0] / 1024


def signature(insight):
    """What an insight found, without the numbers that may wobble: kind,
    whole seconds, and the data's strings (text, labels)."""
    def strings(v):
        if isinstance(v, str):
            return [v]
        if isinstance(v, dict):
            return [s for k in sorted(v) for s in strings(v[k])]
        if isinstance(v, list):
            return [s for x in v for s in strings(x)]
        return []
    end = insight.get("end")
    return (insight["kind"], round(insight["start"]), None if end is None else round(end),
            tuple(strings(insight.get("data"))))


def findings(path):
    with open(path) as f:
        items = json.load(f)["items"]
    by = collections.OrderedDict((a, []) for a in PIPELINE.split(","))
    for i in items:
        by.setdefault(i["analyzer"], []).append(i)
    segments = sorted((i for i in by.get("transcribe", []) if i["kind"] == "transcript_segment"),
                      key=lambda i: i["start"])
    text = " ".join(i["data"].get("text", "") for i in segments)
    return by, text


def warm_cache(paths):
    """Reads the video and the models once, so neither run pays a cold disk."""
    files = []
    for top in paths:
        if os.path.isfile(top):
            files.append(top)
        else:
            files += [os.path.join(d, n) for d, _, names in os.walk(top) for n in names]
    for path in files:
        with open(path, "rb") as f:
            while f.read(1 << 22):
                pass


def write_table(path, table, rounds):
    """Replaces what lies between the pipeline markers of BENCHMARKS.md."""
    with open(path) as f:
        doc = f.read()
    start, end = "<!-- pipeline:start -->", "<!-- pipeline:end -->"
    if start not in doc or end not in doc:
        sys.exit(f"{path} has no {start} ... {end} markers; table not written")
    stamp = time.strftime("%Y-%m-%d", time.gmtime())
    block = (f"{start}\nMeasured {stamp} on {os.cpu_count()} cores, release build "
             f"(`aima analyze VIDEO --pipeline {PIPELINE} --format json`, objects on `objects-centernet`, "
             f"faces on `faces-blazeface-faceres`; end to end, model loading included"
             f"{f'; median wall time of {rounds} rounds' if rounds > 1 else ''}).\n\n{table}{end}")
    doc = doc[: doc.index(start)] + block + doc[doc.index(end) + len(end):]
    with open(path, "w") as f:
        f.write(doc)
    print(f"{path} updated", file=sys.stderr)


def main():
    aima, models, bench, images = sys.argv[1:5]
    os.makedirs(bench, exist_ok=True)
    video = make_video(bench, images)
    duration = check_video(video)
    if os.environ.get("AIMA_BENCH_VIDEO_ONLY") == "1":
        print(video)
        return
    reference = reference_text()

    help_text = subprocess.run([aima, "analyze", "--help"], capture_output=True, text=True).stdout
    has_flag = "--one-by-one" in help_text
    write = os.environ.get("AIMA_BENCH_WRITE") == "1"
    if not has_flag:
        print(f"WARNING: {aima} has no `analyze --one-by-one`: the 'before' run runs without it "
              "(the same as 'after'); no table is written", file=sys.stderr)
        write = False

    data = os.path.join(bench, "data")
    os.makedirs(data, exist_ok=True)
    env = dict(os.environ, AIMA_CONFIG="/nonexistent", RUST_LOG=os.environ.get("RUST_LOG", "warn"),
               AIMA__DATA_DIR=data)
    base = [aima, "analyze", video, "--pipeline", PIPELINE, "--format", "json",
            "--models-dir", models, "--options", json.dumps(OPTIONS)]
    warm_cache([video, models])
    runs = [("before: `--one-by-one` (each stage decodes the video itself, one stage after another)",
             "before", base + (["--one-by-one"] if has_flag else [])),
            ("after: the default (one shared decode, stages overlapping)", "after", base)]
    rounds = int(os.environ.get("AIMA_BENCH_ROUNDS", "1"))
    results = {short: [] for _, short, _ in runs}
    for r in range(rounds):
        for _, short, cmd in runs:
            load = os.getloadavg()[0]
            print(f"running {short} (round {r + 1} of {rounds}, load average {load:.2f}): {' '.join(cmd)}",
                  file=sys.stderr)
            if load > 0.5:
                print(f"  WARNING: the machine is busy (load {load:.2f}): wall times will be long and noisy",
                      file=sys.stderr)
            out = os.path.join(bench, f"{short}.json")
            wall, rss, tree = measure(cmd, env, out, os.path.join(bench, f"{short}.log"))
            by, text = findings(out)
            results[short].append((wall, rss, tree, by, text))
            print(f"  {short}: {wall:.1f} s wall, {duration / wall:.2f}x real time, peak RSS {rss:.0f} MiB "
                  f"(process tree {tree:.0f} MiB), " + ", ".join(f"{a} {len(v)}" for a, v in by.items()),
                  file=sys.stderr)
    rows = []
    for label, short, _ in runs:
        if short == "before" and not has_flag:
            label = "before: **`--one-by-one` missing from this build**, ran without it"
        res = results[short]
        # The median wall time of the rounds; the largest memory; the
        # findings of the last round.
        wall = statistics.median(x[0] for x in res)
        _, _, _, by, text = res[-1]
        rows.append((label, short, wall, max(x[1] for x in res), max(x[2] for x in res), by, wer(reference, text)))

    # Did both runs find the same? Per analyzer, the insights' kinds, whole
    # seconds and strings, as multisets.
    (_, _, _, _, _, before, _), (_, _, _, _, _, after, _) = rows
    differ = []
    for a in after:
        b_sig = collections.Counter(map(signature, before.get(a, [])))
        a_sig = collections.Counter(map(signature, after[a]))
        if b_sig != a_sig:
            only_b, only_a = b_sig - a_sig, a_sig - b_sig
            differ.append(f"`{a}` ({sum(only_b.values())} only before, {sum(only_a.values())} only after)")
            for s in list(only_b)[:3]:
                print(f"  {a} only before: {s}", file=sys.stderr)
            for s in list(only_a)[:3]:
                print(f"  {a} only after: {s}", file=sys.stderr)

    table = ("| run | video s | wall s | real-time factor | peak RSS MiB | with ffmpeg children, MiB "
             "| insights per analyzer | transcript WER |\n|---|---|---|---|---|---|---|---|\n")
    for label, _, wall, rss, tree, by, w in rows:
        counts = ", ".join(f"{a} {len(v)}" for a, v in by.items())
        table += (f"| {label} | {duration:.0f} | {wall:.1f} | {duration / wall:.2f}x | {rss:.0f} | {tree:.0f} "
                  f"| {counts} | {w * 100:.1f} % |\n")
    same = ("Both runs found the same insights (kind, whole seconds, text and labels) for every analyzer."
            if not differ else "The runs differ in " + ", ".join(differ) + ".")
    table += f"\n{same}\n"
    print(table)

    if not write:
        print("BENCHMARKS.md not written (AIMA_BENCH_WRITE is not 1, or the flag is missing)", file=sys.stderr)
        return
    write_table(os.path.join(ROOT, "BENCHMARKS.md"), table, rounds)

if __name__ == "__main__":
    main()
