import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { useLocation, useRoute } from 'preact-iso';
import { artifactUrl, contentUrl, followJob, get, send, url, type Insight, type Job, type Media, type Person, type S } from '../api';
import { clock, date, duration, languageName, number, percent } from '../format';
import { JobProgress } from '../components/JobProgress';
import { MissingModels } from '../components/MissingModels';
import { useAdmin } from '../session';
import { errorText, useT } from '../i18n';

type T = ReturnType<typeof useT>;

type Word = { word: string; start: number; end: number };
type Box = { x: number; y: number; w: number; h: number };

/** The tracks of the timeline, in order, with the insight kinds they show. A
 * track's id is its data-track (tests and styles know it by it); the name
 * shown is media.tracks.<id in lower case>. */
const TRACKS = {
  Transcript: ['transcript_segment'],
  Text: ['text'],
  Faces: ['face'],
  Objects: ['object_track'],
  NSFW: ['nsfw'],
  Keyframes: ['keyframe'],
};
type TrackName = Lowercase<keyof typeof TRACKS>;

/** An insight kind by its name in the UI's language (common.insight); another kind shows as its id. */
const kindName = (t: T, kind: string) => t(`common.insight.${kind as 'text'}`, { defaultValue: kind });

function label(t: T, i: Insight, names: Map<number, string>): string {
  const d = i.data as unknown as Record<string, unknown>;
  switch (i.kind) {
    case 'transcript_segment':
    case 'text':
      return String(d.text ?? '');
    case 'face':
      return names.get(i.id) ?? t('media.unnamedPerson');
    case 'object_track':
      return d.label != null ? String(d.label) : t('media.object');
    case 'nsfw':
      return t('media.nsfw', { percent: percent(Number(d.max_score ?? 0)) });
    case 'labels':
      return ((d.labels as { label: string }[] | undefined) ?? []).map((l) => l.label).join(', ');
    default:
      return kindName(t, i.kind);
  }
}

const active = (i: Insight, at: number) => i.start <= at + 0.05 && at <= (i.end ?? i.start + 0.5);

export function MediaPage() {
  const t = useT();
  const admin = useAdmin();
  const { params } = useRoute();
  const { query } = useLocation();
  const id = params.id;
  const [media, setMedia] = useState<S['MediaDetail'] | null>(null);
  const [insights, setInsights] = useState<Insight[]>([]);
  const [faces, setFaces] = useState<S['FaceRecord'][]>([]);
  const [persons, setPersons] = useState<Map<string, Person>>(new Map());
  const [job, setJob] = useState<Job | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [time, setTime] = useState(0);
  const [boxes, setBoxes] = useState(true);
  const [reload, setReload] = useState(0);
  // A job started here (analyse again, retry): followed until it ends, then the insights are read again.
  const follow = (j: Job) => {
    setJob(j);
    followJob(j.id, (n) => {
      setJob(n);
      if (n.state === 'succeeded' || n.state === 'partial') setReload((r) => r + 1);
    });
  };
  const player = useRef<HTMLVideoElement & HTMLAudioElement>(null);

  useEffect(() => {
    get<S['MediaDetail']>(`/media/${id}`).then(setMedia, (e) => setError(errorText(e)));
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
          if (next.state === 'succeeded' || next.state === 'partial') setReload((r) => r + 1);
        });
      }
    }, () => undefined);
    return () => stop();
  }, [id, reload]);

  // A link with ?t=12.5 opens the media at that second.
  useEffect(() => {
    const at = Number(query.t);
    if (media && isFinite(at) && at > 0) seek(at);
  }, [media, query.t]);

  const names = useMemo(() => {
    const m = new Map<number, string>();
    for (const f of faces) {
      const p = f.person_id ? persons.get(f.person_id) : undefined;
      if (p?.name) m.set(f.insight_id, p.name);
    }
    return m;
  }, [faces, persons]);

  const seek = (at: number) => {
    setTime(at);
    const el = player.current;
    if (el) el.currentTime = at;
  };

  const review = async (i: Insight, verdict: 'confirmed' | 'rejected' | null) => {
    try {
      const updated = await send<Insight>('PATCH', `/insights/${i.id}`, { review: verdict });
      setInsights((all) => all.map((x) => (x.id === i.id ? { ...x, review: updated.review } : x)));
    } catch (e) {
      setError(errorText(e));
    }
  };

  if (error && !media) return <p role="alert" class="error">{error}</p>;
  if (!media) return <p>{t('common.loading')}</p>;
  const length = media.duration ?? Math.max(1, ...insights.map((i) => i.end ?? i.start));
  const segments = insights.filter((i) => i.kind === 'transcript_segment' && i.review !== 'rejected');
  const shown = insights.filter((i) => i.review !== 'rejected');
  const onFrame = shown.filter((i) => (i.data as unknown as { box?: Box }).box && active(i, time) && i.kind !== 'keyframe');

  return (
    <>
      <h1>{media.filename ?? media.id}</h1>
      <p class="muted">{t(`common.kind.${media.kind}`)} · {media.duration != null ? clock(media.duration) + ' · ' : ''}{media.width ? `${media.width}×${media.height} · ` : ''}{t('media.uploaded', { date: date(media.created_at) })}</p>
      {media.languages?.length ? (
        <p class="languages muted">
          {t('media.languages.spoken')}{' '}
          {media.languages.map((l, k) => (
            <>
              {k ? ', ' : ''}
              <span data-language={l.language}>
                {t('media.languages.item', { name: languageName(l.language), duration: duration(l.seconds) })}
                {l.uncertain && <> <em class="uncertain" title={t('media.languages.uncertainHelp')}>{t('media.languages.uncertain')}</em></>}
              </span>
            </>
          ))}
        </p>
      ) : null}
      {error && <p role="alert" class="error">{error}</p>}
      <div class="media-layout">
        <div class="player-col">
          <div class="stage-wrap">
            {media.kind === 'video' && (
              <video ref={player} src={contentUrl(media.id)} controls preload="auto" aria-label={t('media.player')}
                onTimeUpdate={(e) => setTime((e.target as HTMLVideoElement).currentTime)}
                onSeeked={(e) => setTime((e.target as HTMLVideoElement).currentTime)} />
            )}
            {media.kind === 'audio' && (
              <audio ref={player} src={contentUrl(media.id)} controls preload="auto" aria-label={t('media.player')}
                onTimeUpdate={(e) => setTime((e.target as HTMLAudioElement).currentTime)}
                onSeeked={(e) => setTime((e.target as HTMLAudioElement).currentTime)} />
            )}
            {media.kind === 'image' && <img src={contentUrl(media.id)} alt={media.filename ?? t('common.kind.image')} />}
            {boxes && media.kind !== 'audio' && (
              <div class="overlay" aria-hidden="true">
                {onFrame.map((i) => {
                  const b = (i.data as unknown as { box: Box }).box;
                  return (
                    <div class={`box kind-${i.kind}`} style={{ left: `${b.x * 100}%`, top: `${b.y * 100}%`, width: `${b.w * 100}%`, height: `${b.h * 100}%` }}>
                      <span>{label(t, i, names)}</span>
                    </div>
                  );
                })}
              </div>
            )}
          </div>
          <div class="toolbar">
            {media.kind !== 'audio' && (
              <label class="check"><input type="checkbox" checked={boxes} onChange={(e) => setBoxes((e.target as HTMLInputElement).checked)} /> {t('media.showBoxes')}</label>
            )}
            <span class="muted" aria-live="off">{t('media.at', { time: clock(time) })}</span>
          </div>
          <Timeline insights={shown} duration={length} time={time} names={names} onSeek={seek} />
          {job && <JobProgress job={job} onRetry={() => send<Job>('POST', `/jobs/${job.id}/retry`).then(follow, (e) => setError(errorText(e)))} />}
          <div class="write"><MissingModels admin={admin} kind={media.kind} /></div>
          <Reanalyse media={media} onJob={follow} />
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
  const t = useT();
  const pct = (s: number) => `${Math.min(100, (s / duration) * 100)}%`;
  return (
    <section class="timeline" aria-label={t('media.timeline')}>
      {Object.entries(TRACKS).map(([id, kinds]) => {
        const items = insights.filter((i) => kinds.includes(i.kind));
        if (!items.length) return null;
        const name = t(`media.tracks.${id.toLowerCase() as TrackName}`);
        return (
          <div class="track" data-track={id}>
            <span class="track-name">{name}</span>
            <div class="lane">
              {items.map((i) => (
                <button type="button" class={`mark kind-${i.kind}`} title={`${clock(i.start)} ${label(t, i, names)}`}
                  aria-label={t('media.mark', { track: name, time: clock(i.start), label: label(t, i, names) })}
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
  const t = useT();
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
  if (!segments.length) return <section class="card"><h2>{t('media.transcript.title')}</h2><p class="muted">{t('media.transcript.none')}</p></section>;
  return (
    <section class="card transcript" aria-labelledby="transcript-title">
      <h2 id="transcript-title">{t('media.transcript.title')}</h2>
      <ol ref={list}>
        {segments.map((s, k) => {
          const words = ((s.data as unknown as { words?: Word[] }).words ?? []);
          return (
            <li class="segment" aria-current={k === current ? 'true' : undefined} data-start={s.start}>
              <button type="button" class="time" onClick={() => onSeek(s.start)} aria-label={t('media.transcript.playFrom', { time: clock(s.start) })}>{clock(s.start)}</button>
              <span class="text" lang={(s.data as unknown as { language?: string }).language}>
                {words.length ? words.map((w, i) => (
                  <>{i > 0 && ' '}<span class={'word' + (w.start <= time && time < w.end ? ' now' : '')} role="button" tabIndex={0} data-start={w.start}
                    onClick={() => onSeek(w.start)} onKeyDown={(e) => e.key === 'Enter' && onSeek(w.start)}>{w.word}</span></>
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
  const t = useT();
  if (!faces.length) return null;
  const byPerson = new Map<string, S['FaceRecord'][]>();
  for (const f of faces) {
    const k = f.person_id ?? '';
    byPerson.set(k, [...(byPerson.get(k) ?? []), f]);
  }
  return (
    <section class="card" aria-labelledby="persons-here">
      <h2 id="persons-here">{t('media.persons.title')}</h2>
      <ul class="persons-here">
        {[...byPerson.entries()].map(([pid, fs]) => (
          <li data-person={pid}>
            {fs[0].artifact && <img src={artifactUrl(fs[0].media_id, fs[0].artifact)} alt="" width={48} height={48} />}
            {pid ? <a href={`/persons/${pid}`} class="person-name">{persons.get(pid)?.name ?? t('media.unnamedPerson')}</a> : <span>{t('media.persons.unassigned')}</span>}
            {fs.map((f) => <button type="button" class="small" onClick={() => onSeek(f.start)}>{clock(f.start)}</button>)}
          </li>
        ))}
      </ul>
    </section>
  );
}

function Reanalyse({ media, onJob }: { media: Media; onJob: (j: Job) => void }) {
  const t = useT();
  const [analyzers, setAnalyzers] = useState<S['AnalyzerInfo'][]>([]);
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    get<S['AnalyzerList']>('/analyzers').then((l) => setAnalyzers(l.items.filter((a) => a.accepts.includes(media.kind))), (e) => setError(errorText(e)));
  }, [media.kind]);
  const run = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      onJob(await send<Job>('POST', '/jobs', { media_id: media.id, pipeline: [...chosen].join(',') }));
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <details class="card write">
      <summary>{t('media.reanalyse.title')}</summary>
      <form onSubmit={run}>
        <fieldset>
          <legend>{t('media.reanalyse.analyzers')}</legend>
          {analyzers.map((a) => (
            <label class="check" title={a.description}>
              <input type="checkbox" checked={chosen.has(a.name)} onChange={(e) => {
                const next = new Set(chosen);
                if ((e.target as HTMLInputElement).checked) next.add(a.name); else next.delete(a.name);
                setChosen(next);
              }} /> <span translate={false}>{a.name}</span>
            </label>
          ))}
        </fieldset>
        {error && <p role="alert" class="error">{error}</p>}
        <button type="submit" class="primary" disabled={!chosen.size}>{t('media.reanalyse.run')}</button>
      </form>
    </details>
  );
}

function Exports({ id }: { id: string }) {
  const t = useT();
  const links: [string, string][] = [
    ['JSON', url(`/media/${id}/insights`)],
    ['CSV', url(`/media/${id}/insights`, { format: 'csv' })],
    ['SRT', url(`/media/${id}/transcript`, { format: 'srt' })],
    ['VTT', url(`/media/${id}/transcript`, { format: 'vtt' })],
  ];
  return (
    <p class="exports">{t('media.export')}{' '}
      {links.map(([name, href]) => <a class="button small" href={href} download>{name}</a>)}
    </p>
  );
}

function InsightTable({ insights, names, onSeek, onReview }: {
  insights: Insight[]; names: Map<number, string>; onSeek: (t: number) => void;
  onReview: (i: Insight, r: 'confirmed' | 'rejected' | null) => void;
}) {
  const t = useT();
  const [kind, setKind] = useState('');
  const kinds = [...new Set(insights.map((i) => i.kind))];
  const rows = insights.filter((i) => !kind || i.kind === kind).slice(0, 500);
  return (
    <section aria-labelledby="insights-title">
      <h2 id="insights-title">{t('media.insights.title')}</h2>
      <label>{t('media.insights.kind')}{' '}
        <select value={kind} onChange={(e) => setKind((e.target as HTMLSelectElement).value)}>
          <option value="">{t('media.insights.all', { total: number(insights.length) })}</option>
          {kinds.map((k) => <option value={k}>{kindName(t, k)}</option>)}
        </select>
      </label>
      <div class="table-wrap">
        <table class="insights">
          <thead>
            <tr>
              <th scope="col">{t('media.insights.time')}</th>
              <th scope="col">{t('media.insights.analyzer')}</th>
              <th scope="col">{t('media.insights.kind')}</th>
              <th scope="col">{t('media.insights.what')}</th>
              <th scope="col">{t('media.insights.review')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((i) => (
              <tr data-insight={i.id} class={i.review ? `review-${i.review}` : ''}>
                <td><button type="button" class="small" onClick={() => onSeek(i.start)}>{clock(i.start)}</button></td>
                <td translate={false}>{i.analyzer}</td>
                <td>{kindName(t, i.kind)}</td>
                <td class="what">{label(t, i, names)}</td>
                <td class="review write">
                  <button type="button" class="small" aria-pressed={i.review === 'confirmed'} onClick={() => onReview(i, i.review === 'confirmed' ? null : 'confirmed')}>{t('media.insights.confirm')}</button>
                  <button type="button" class="small" aria-pressed={i.review === 'rejected'} onClick={() => onReview(i, i.review === 'rejected' ? null : 'rejected')}>{t('media.insights.reject')}</button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
