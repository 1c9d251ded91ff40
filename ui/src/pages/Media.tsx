import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { useLocation, useRoute } from 'preact-iso';
import { ApiError, artifactUrl, contentUrl, followJob, get, send, url, type Insight, type Job, type Media, type Person, type S } from '../api';
import { clock, date } from '../format';
import { JobProgress } from '../components/JobProgress';

type Word = { word: string; start: number; end: number };
type Box = { x: number; y: number; w: number; h: number };

/** The tracks of the timeline, in order, with the insight kinds they show. */
const TRACKS: [string, string[]][] = [
  ['Transcript', ['transcript_segment']],
  ['Text', ['text']],
  ['Faces', ['face']],
  ['Objects', ['object_track']],
  ['NSFW', ['nsfw']],
  ['Keyframes', ['keyframe']],
];

function label(i: Insight, names: Map<number, string>): string {
  const d = i.data as unknown as Record<string, unknown>;
  switch (i.kind) {
    case 'transcript_segment':
    case 'text':
      return String(d.text ?? '');
    case 'face':
      return names.get(i.id) ?? 'Unnamed person';
    case 'object_track':
      return String(d.label ?? 'object');
    case 'nsfw':
      return `NSFW ${Math.round(Number(d.max_score ?? 0) * 100)} %`;
    case 'labels':
      return ((d.labels as { label: string }[] | undefined) ?? []).map((l) => l.label).join(', ');
    default:
      return i.kind;
  }
}

const active = (i: Insight, t: number) => i.start <= t + 0.05 && t <= (i.end ?? i.start + 0.5);

export function MediaPage() {
  const { params } = useRoute();
  const { query } = useLocation();
  const id = params.id;
  const [media, setMedia] = useState<Media | null>(null);
  const [insights, setInsights] = useState<Insight[]>([]);
  const [faces, setFaces] = useState<S['FaceRecord'][]>([]);
  const [persons, setPersons] = useState<Map<string, Person>>(new Map());
  const [job, setJob] = useState<Job | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [time, setTime] = useState(0);
  const [boxes, setBoxes] = useState(true);
  const [reload, setReload] = useState(0);
  const player = useRef<HTMLVideoElement & HTMLAudioElement>(null);

  useEffect(() => {
    get<Media>(`/media/${id}`).then(setMedia, (e: ApiError) => setError(e.message));
  }, [id]);
  useEffect(() => {
    get<S['InsightList']>(`/media/${id}/insights`, { include_rejected: true }).then((l) => setInsights(l.items), () => undefined);
    get<S['FaceList']>(`/media/${id}/faces`).then(async (l) => {
      setFaces(l.items);
      const ids = [...new Set(l.items.map((f) => f.person_id).filter((p): p is string => !!p))];
      const found = await Promise.all(ids.map((p) => get<Person>(`/persons/${p}`).catch(() => null)));
      setPersons(new Map(found.filter((p): p is Person => !!p).map((p) => [p.id, p])));
    }, () => undefined);
    let stop = () => {};
    get<S['JobPage']>('/jobs', { media_id: id, limit: 1, order: 'desc' }).then((p) => {
      const j = p.items[0] ?? null;
      setJob(j);
      if (j && (j.state === 'queued' || j.state === 'running')) {
        stop = followJob(j.id, (next) => {
          setJob(next);
          if (next.state === 'succeeded') setReload((r) => r + 1);
        });
      }
    }, () => undefined);
    return () => stop();
  }, [id, reload]);

  // A link with ?t=12.5 opens the media at that second.
  useEffect(() => {
    const t = Number(query.t);
    if (media && isFinite(t) && t > 0) seek(t);
  }, [media, query.t]);

  const names = useMemo(() => {
    const m = new Map<number, string>();
    for (const f of faces) {
      const p = f.person_id ? persons.get(f.person_id) : undefined;
      if (p?.name) m.set(f.insight_id, p.name);
    }
    return m;
  }, [faces, persons]);

  const seek = (t: number) => {
    setTime(t);
    const el = player.current;
    if (el) el.currentTime = t;
  };

  const review = async (i: Insight, verdict: 'confirmed' | 'rejected' | null) => {
    try {
      const updated = await send<Insight>('PATCH', `/insights/${i.id}`, { review: verdict });
      setInsights((all) => all.map((x) => (x.id === i.id ? { ...x, review: updated.review } : x)));
    } catch (e) {
      setError((e as ApiError).message);
    }
  };

  if (error && !media) return <p role="alert" class="error">{error}</p>;
  if (!media) return <p>Loading…</p>;
  const duration = media.duration ?? Math.max(1, ...insights.map((i) => i.end ?? i.start));
  const segments = insights.filter((i) => i.kind === 'transcript_segment' && i.review !== 'rejected');
  const shown = insights.filter((i) => i.review !== 'rejected');
  const onFrame = shown.filter((i) => (i.data as unknown as { box?: Box }).box && active(i, time) && i.kind !== 'keyframe');

  return (
    <>
      <h1>{media.filename ?? media.id}</h1>
      <p class="muted">{media.kind} · {media.duration != null ? clock(media.duration) + ' · ' : ''}{media.width ? `${media.width}×${media.height} · ` : ''}uploaded {date(media.created_at)}</p>
      {error && <p role="alert" class="error">{error}</p>}
      <div class="media-layout">
        <div class="player-col">
          <div class="stage-wrap">
            {media.kind === 'video' && (
              <video ref={player} src={contentUrl(media.id)} controls preload="auto" aria-label="Player"
                onTimeUpdate={(e) => setTime((e.target as HTMLVideoElement).currentTime)}
                onSeeked={(e) => setTime((e.target as HTMLVideoElement).currentTime)} />
            )}
            {media.kind === 'audio' && (
              <audio ref={player} src={contentUrl(media.id)} controls preload="auto" aria-label="Player"
                onTimeUpdate={(e) => setTime((e.target as HTMLAudioElement).currentTime)}
                onSeeked={(e) => setTime((e.target as HTMLAudioElement).currentTime)} />
            )}
            {media.kind === 'image' && <img src={contentUrl(media.id)} alt={media.filename ?? 'image'} />}
            {boxes && media.kind !== 'audio' && (
              <div class="overlay" aria-hidden="true">
                {onFrame.map((i) => {
                  const b = (i.data as unknown as { box: Box }).box;
                  return (
                    <div class={`box kind-${i.kind}`} style={{ left: `${b.x * 100}%`, top: `${b.y * 100}%`, width: `${b.w * 100}%`, height: `${b.h * 100}%` }}>
                      <span>{label(i, names)}</span>
                    </div>
                  );
                })}
              </div>
            )}
          </div>
          <div class="toolbar">
            {media.kind !== 'audio' && (
              <label class="check"><input type="checkbox" checked={boxes} onChange={(e) => setBoxes((e.target as HTMLInputElement).checked)} /> Show boxes</label>
            )}
            <span class="muted" aria-live="off">At {clock(time)}</span>
          </div>
          <Timeline insights={shown} duration={duration} time={time} names={names} onSeek={seek} />
          {job && <JobProgress job={job} />}
          <Reanalyse media={media} onJob={(j) => { setJob(j); followJob(j.id, (n) => { setJob(n); if (n.state === 'succeeded') setReload((r) => r + 1); }); }} />
          <Exports id={media.id} />
        </div>
        <div class="side-col">
          <Transcript segments={segments} time={time} onSeek={seek} />
          <PersonsHere faces={faces} persons={persons} onSeek={seek} />
        </div>
      </div>
      <InsightTable insights={insights} names={names} onSeek={seek} onReview={review} />
    </>
  );
}

function Timeline({ insights, duration, time, names, onSeek }: {
  insights: Insight[]; duration: number; time: number; names: Map<number, string>; onSeek: (t: number) => void;
}) {
  const pct = (t: number) => `${Math.min(100, (t / duration) * 100)}%`;
  return (
    <section class="timeline" aria-label="Timeline of insights">
      {TRACKS.map(([name, kinds]) => {
        const items = insights.filter((i) => kinds.includes(i.kind));
        if (!items.length) return null;
        return (
          <div class="track" data-track={name}>
            <span class="track-name">{name}</span>
            <div class="lane">
              {items.map((i) => (
                <button type="button" class={`mark kind-${i.kind}`} title={`${clock(i.start)} ${label(i, names)}`}
                  aria-label={`${name} at ${clock(i.start)}: ${label(i, names)}`}
                  style={{ left: pct(i.start), width: i.end != null ? `max(4px, ${pct(i.end - i.start)})` : '4px' }}
                  onClick={() => onSeek(i.start)} />
              ))}
              <div class="playhead" style={{ left: pct(time) }} />
            </div>
          </div>
        );
      })}
    </section>
  );
}

function Transcript({ segments, time, onSeek }: { segments: Insight[]; time: number; onSeek: (t: number) => void }) {
  const list = useRef<HTMLOListElement>(null);
  // The latest segment under the playhead. A seek lands on the media's own
  // time grid (9.04 for a segment stored at 9.040000000000001), so a start
  // counts from a few milliseconds early.
  let current = -1;
  segments.forEach((s, k) => {
    if (s.start - 0.005 <= time && time < (s.end ?? s.start)) current = k;
  });
  useEffect(() => {
    const el = list.current?.querySelector('[aria-current="true"]') as HTMLElement | null;
    el?.scrollIntoView({ block: 'nearest' });
  }, [current]);
  if (!segments.length) return <section class="card"><h2>Transcript</h2><p class="muted">No transcript.</p></section>;
  return (
    <section class="card transcript" aria-labelledby="transcript-title">
      <h2 id="transcript-title">Transcript</h2>
      <ol ref={list}>
        {segments.map((s, k) => {
          const words = ((s.data as unknown as { words?: Word[] }).words ?? []);
          return (
            <li class="segment" aria-current={k === current ? 'true' : undefined} data-start={s.start}>
              <button type="button" class="time" onClick={() => onSeek(s.start)} aria-label={`Play from ${clock(s.start)}`}>{clock(s.start)}</button>
              <span class="text">
                {words.length ? words.map((w) => (
                  <span class={'word' + (w.start <= time && time < w.end ? ' now' : '')} role="button" tabIndex={0} data-start={w.start}
                    onClick={() => onSeek(w.start)} onKeyDown={(e) => e.key === 'Enter' && onSeek(w.start)}>{w.word}</span>
                )) : String((s.data as unknown as { text?: string }).text ?? '')}
              </span>
            </li>
          );
        })}
      </ol>
    </section>
  );
}

function PersonsHere({ faces, persons, onSeek }: { faces: S['FaceRecord'][]; persons: Map<string, Person>; onSeek: (t: number) => void }) {
  if (!faces.length) return null;
  const byPerson = new Map<string, S['FaceRecord'][]>();
  for (const f of faces) {
    const k = f.person_id ?? '';
    byPerson.set(k, [...(byPerson.get(k) ?? []), f]);
  }
  return (
    <section class="card" aria-labelledby="persons-here">
      <h2 id="persons-here">Persons</h2>
      <ul class="persons-here">
        {[...byPerson.entries()].map(([pid, fs]) => (
          <li data-person={pid}>
            {fs[0].artifact && <img src={artifactUrl(fs[0].media_id, fs[0].artifact)} alt="" width={48} height={48} />}
            {pid ? <a href={`/persons/${pid}`} class="person-name">{persons.get(pid)?.name ?? 'Unnamed person'}</a> : <span>Unassigned</span>}
            {fs.map((f) => <button type="button" class="small" onClick={() => onSeek(f.start)}>{clock(f.start)}</button>)}
          </li>
        ))}
      </ul>
    </section>
  );
}

function Reanalyse({ media, onJob }: { media: Media; onJob: (j: Job) => void }) {
  const [analyzers, setAnalyzers] = useState<S['AnalyzerInfo'][]>([]);
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    get<S['AnalyzerList']>('/analyzers').then((l) => setAnalyzers(l.items.filter((a) => a.accepts.includes(media.kind))), () => undefined);
  }, [media.kind]);
  const run = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      onJob(await send<Job>('POST', '/jobs', { media_id: media.id, pipeline: [...chosen].join(',') }));
    } catch (err) {
      setError((err as ApiError).message);
    }
  };
  return (
    <details class="card write">
      <summary>Analyse again</summary>
      <form onSubmit={run}>
        <fieldset>
          <legend>Analyzers</legend>
          {analyzers.map((a) => (
            <label class="check" title={a.description}>
              <input type="checkbox" checked={chosen.has(a.name)} onChange={(e) => {
                const next = new Set(chosen);
                if ((e.target as HTMLInputElement).checked) next.add(a.name); else next.delete(a.name);
                setChosen(next);
              }} /> {a.name}
            </label>
          ))}
        </fieldset>
        {error && <p role="alert" class="error">{error}</p>}
        <button type="submit" class="primary" disabled={!chosen.size}>Analyse</button>
      </form>
    </details>
  );
}

function Exports({ id }: { id: string }) {
  const links: [string, string][] = [
    ['JSON', url(`/media/${id}/insights`)],
    ['CSV', url(`/media/${id}/insights`, { format: 'csv' })],
    ['SRT', url(`/media/${id}/transcript`, { format: 'srt' })],
    ['VTT', url(`/media/${id}/transcript`, { format: 'vtt' })],
  ];
  return (
    <p class="exports">Export:{' '}
      {links.map(([name, href]) => <a class="button small" href={href} download>{name}</a>)}
    </p>
  );
}

function InsightTable({ insights, names, onSeek, onReview }: {
  insights: Insight[]; names: Map<number, string>; onSeek: (t: number) => void;
  onReview: (i: Insight, r: 'confirmed' | 'rejected' | null) => void;
}) {
  const [kind, setKind] = useState('');
  const kinds = [...new Set(insights.map((i) => i.kind))];
  const rows = insights.filter((i) => !kind || i.kind === kind).slice(0, 500);
  return (
    <section aria-labelledby="insights-title">
      <h2 id="insights-title">Insights</h2>
      <label>Kind{' '}
        <select value={kind} onChange={(e) => setKind((e.target as HTMLSelectElement).value)}>
          <option value="">All ({insights.length})</option>
          {kinds.map((k) => <option value={k}>{k}</option>)}
        </select>
      </label>
      <div class="table-wrap">
        <table class="insights">
          <thead><tr><th scope="col">Time</th><th scope="col">Analyzer</th><th scope="col">Kind</th><th scope="col">What</th><th scope="col">Review</th></tr></thead>
          <tbody>
            {rows.map((i) => (
              <tr data-insight={i.id} class={i.review ? `review-${i.review}` : ''}>
                <td><button type="button" class="small" onClick={() => onSeek(i.start)}>{clock(i.start)}</button></td>
                <td>{i.analyzer}</td>
                <td>{i.kind}</td>
                <td class="what">{label(i, names)}</td>
                <td class="review write">
                  <button type="button" class="small" aria-pressed={i.review === 'confirmed'} onClick={() => onReview(i, i.review === 'confirmed' ? null : 'confirmed')}>Confirm</button>
                  <button type="button" class="small" aria-pressed={i.review === 'rejected'} onClick={() => onReview(i, i.review === 'rejected' ? null : 'rejected')}>Reject</button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
