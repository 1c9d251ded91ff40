import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import {
  BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip,
} from 'chart.js';
import { useLocation } from 'preact-iso';
import { followJob, get, send, type Job, type S } from '../api';
import { duration, isoDay, number, percent } from '../format';
import { errorText, lang, t, useT } from '../i18n';
import { JobProgress } from '../components/JobProgress';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement, PointElement, Legend, Tooltip);

type Event = S['StoredEvent'];
const PALETTE = ['#3b82f6', '#f59e0b', '#10b981', '#ef4444', '#8b5cf6', '#ec4899', '#14b8a6', '#f97316', '#64748b', '#84cc16'];
const offset = () => -new Date().getTimezoneOffset();

/** A summary key as shown: the server's `unlabelled` (modes) and `unknown` (apps) in the UI's language; modes and apps are names. */
function keyName(key: string, by: 'mode' | 'app' = 'mode'): string {
  if (by === 'mode' && key === 'unlabelled') return t('activity.unlabelled');
  if (by === 'app' && key === 'unknown') return t('activity.unknownApp');
  return key;
}

/** A day (YYYY-MM-DD, local) short, as the language writes it: for chart axes. */
const shortDay = (iso: string, weekday: boolean) =>
  new Date(`${iso}T00:00:00`).toLocaleDateString(lang(), weekday ? { weekday: 'short', day: 'numeric', month: 'short' } : { day: 'numeric', month: 'short' });

function colour(key: string, keys: string[]): string {
  if (key === 'unlabelled') return '#9ca3af';
  return PALETTE[Math.max(0, keys.indexOf(key)) % PALETTE.length];
}

/** A Chart.js chart that is rebuilt when its config changes. */
function ChartBox({ config, label }: { config: ConstructorParameters<typeof Chart>[1]; label: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const chart = new Chart(canvas.current!, config);
    return () => chart.destroy();
  }, [config]);
  // What the chart shows in total (hours), for tests and for a glance.
  const total = config.data.datasets.reduce((sum, d) => sum + (d.data as number[]).reduce((a, b) => a + (Number(b) || 0), 0), 0);
  return <div class="chart" data-total={total.toFixed(3)}><canvas ref={canvas} role="img" aria-label={label} /></div>;
}

function stacked(rows: S['SummaryRow'][], periods: string[], labels: string[], by: 'mode' | 'app'): ConstructorParameters<typeof Chart>[1] {
  const keys = [...new Set(rows.map((r) => r.key))].sort();
  return {
    type: 'bar',
    data: {
      labels,
      datasets: keys.map((k) => ({
        label: keyName(k, by),
        backgroundColor: colour(k, keys),
        data: periods.map((p) => (rows.find((r) => r.key === k && r.period === p)?.seconds ?? 0) / 3600),
      })),
    },
    options: {
      locale: lang(),
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      plugins: { title: { display: false, text: t(`activity.bars.chartTitle.${by}`) }, tooltip: { callbacks: { label: (c) => `${c.dataset.label}: ${duration(Number(c.raw) * 3600)}` } } },
      scales: { x: { stacked: true }, y: { stacked: true, title: { display: true, text: t('activity.bars.hours') } } },
    },
  };
}

async function allEvents(start: Date, end: Date): Promise<Event[]> {
  const out: Event[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 10; i++) {
    const page: S['EventPage'] = await get<S['EventPage']>('/activity', { start: start.toISOString(), end: end.toISOString(), limit: 1000, cursor });
    out.push(...page.items);
    if (!page.next_cursor) break;
    cursor = page.next_cursor;
  }
  return out;
}

export function Activity() {
  const t = useT();
  const language = lang();
  const { query } = useLocation();
  const [day, setDay] = useState(/^\d{4}-\d{2}-\d{2}$/.test(query.day ?? '') ? query.day : isoDay(new Date()));
  useEffect(() => {
    if (/^\d{4}-\d{2}-\d{2}$/.test(query.day ?? '')) setDay(query.day);
  }, [query.day]);
  const [span, setSpan] = useState<'day' | 'week'>('day');
  const [by, setBy] = useState<'mode' | 'app'>('mode');
  const [summary, setSummary] = useState<S['Summary'] | null>(null);
  const [trend, setTrend] = useState<S['Summary'] | null>(null);
  const [events, setEvents] = useState<Event[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);

  const start = useMemo(() => {
    const d = new Date(`${day}T00:00:00`);
    if (span === 'week') d.setDate(d.getDate() - ((d.getDay() + 6) % 7));
    return d;
  }, [day, span]);
  const end = useMemo(() => {
    const d = new Date(start);
    d.setDate(d.getDate() + (span === 'week' ? 7 : 1));
    return d;
  }, [start, span]);

  useEffect(() => {
    setError(null);
    get<S['Summary']>('/activity/summary', { start: start.toISOString(), end: end.toISOString(), by, period: span === 'day' ? 'hour' : 'day', utc_offset_minutes: offset() })
      .then(setSummary, (e) => setError(errorText(e)));
    const from = new Date(start);
    from.setDate(from.getDate() - 7 * 7);
    get<S['Summary']>('/activity/summary', { start: from.toISOString(), end: end.toISOString(), by: 'mode', period: 'day', utc_offset_minutes: offset() })
      .then(setTrend, () => undefined);
    allEvents(start, end).then(setEvents, () => setEvents([]));
  }, [start, end, by, tick]);

  const periods = useMemo(() => {
    if (span === 'day') return Array.from({ length: 24 }, (_, h) => String(h).padStart(2, '0'));
    return Array.from({ length: 7 }, (_, i) => { const d = new Date(start); d.setDate(d.getDate() + i); return isoDay(d); });
  }, [span, start]);
  const barConfig = useMemo(() => {
    if (!summary) return null;
    const labels = span === 'day' ? periods : periods.map((p) => shortDay(p, true));
    return stacked(summary.rows, periods, labels, by);
  }, [summary, periods, language]);
  const trendConfig = useMemo(() => {
    if (!trend) return null;
    // Weeks (Monday first) from the daily rows.
    const weeks = new Map<string, Map<string, number>>();
    for (const r of trend.rows) {
      const d = new Date(`${r.period}T00:00:00`);
      d.setDate(d.getDate() - ((d.getDay() + 6) % 7));
      const w = isoDay(d);
      const m = weeks.get(w) ?? new Map<string, number>();
      m.set(r.key, (m.get(r.key) ?? 0) + r.seconds);
      weeks.set(w, m);
    }
    const labels = [...weeks.keys()].sort();
    const keys = [...new Set(trend.rows.map((r) => r.key))].sort();
    return {
      type: 'line' as const,
      data: {
        labels: labels.map((w) => shortDay(w, false)),
        datasets: keys.map((k) => ({ label: keyName(k), borderColor: colour(k, keys), backgroundColor: colour(k, keys), data: labels.map((w) => (weeks.get(w)?.get(k) ?? 0) / 3600) })),
      },
      options: {
        locale: language,
        animation: false as const,
        responsive: true,
        maintainAspectRatio: false,
        plugins: { tooltip: { callbacks: { label: (c: { dataset: { label?: string }; raw: unknown }) => `${c.dataset.label}: ${duration(Number(c.raw) * 3600)}` } } },
        scales: { y: { title: { display: true, text: t('activity.trend.axis') } } },
      },
    };
  }, [trend, language]);

  const top = (field: 'title' | 'url') => {
    const sums = new Map<string, number>();
    for (const e of events) {
      const v = (e.data as unknown as Record<string, unknown>)[field];
      if (typeof v === 'string' && v) sums.set(v, (sums.get(v) ?? 0) + e.duration);
    }
    return [...sums.entries()].sort((a, b) => b[1] - a[1]).slice(0, 10);
  };

  return (
    <>
      <h1>{t('activity.title')}</h1>
      <div class="toolbar" role="group" aria-label={t('activity.period')}>
        <label>{t('activity.day')} <input type="date" value={day} onChange={(e) => setDay((e.target as HTMLInputElement).value || isoDay(new Date()))} /></label>
        <label>{t('activity.show')}{' '}
          <select value={span} onChange={(e) => setSpan((e.target as HTMLSelectElement).value as 'day' | 'week')}>
            <option value="day">{t('activity.span.day')}</option><option value="week">{t('activity.span.week')}</option>
          </select>
        </label>
        <label>{t('activity.by')}{' '}
          <select value={by} onChange={(e) => setBy((e.target as HTMLSelectElement).value as 'mode' | 'app')}>
            <option value="mode">{t('activity.byKind.mode')}</option><option value="app">{t('activity.byKind.app')}</option>
          </select>
        </label>
        {summary && <span class="total">{t('activity.total', { duration: duration(summary.total_seconds) })}</span>}
      </div>
      {error && <p role="alert" class="error">{error}</p>}
      <section aria-labelledby="bars-title">
        <h2 id="bars-title">{t(`activity.bars.title.${by}.${span === 'day' ? 'hour' : 'day'}`)}</h2>
        {barConfig && <ChartBox config={barConfig} label={t(`activity.bars.chartLabel.${by}`)} />}
        {summary && <SummaryTable summary={summary} by={by} />}
      </section>
      {span === 'day' && <DayTimeline start={start} end={end} events={events} onLabelled={() => setTick((t) => t + 1)} />}
      <div class="two">
        <section class="card"><h2>{t('activity.top.titles')}</h2><TopList rows={top('title')} /></section>
        <section class="card"><h2>{t('activity.top.sites')}</h2><TopList rows={top('url')} /></section>
      </div>
      <section aria-labelledby="trend-title">
        <h2 id="trend-title">{t('activity.trend.title')}</h2>
        {trendConfig && <ChartBox config={trendConfig} label={t('activity.trend.chartLabel')} />}
      </section>
      <Modes />
    </>
  );
}

function SummaryTable({ summary, by }: { summary: S['Summary']; by: 'mode' | 'app' }) {
  const t = useT();
  const totals = new Map<string, number>();
  for (const r of summary.rows) totals.set(r.key, (totals.get(r.key) ?? 0) + r.seconds);
  return (
    <table class="summary">
      <caption class="sr-only">{t('activity.totals')}</caption>
      <tbody>
        {[...totals.entries()].sort((a, b) => b[1] - a[1]).map(([k, s]) => (
          <tr data-key={k}><th scope="row">{keyName(k, by)}</th><td>{duration(s)}</td></tr>
        ))}
      </tbody>
    </table>
  );
}

function TopList({ rows }: { rows: [string, number][] }) {
  const t = useT();
  if (!rows.length) return <p class="muted">{t('activity.top.none')}</p>;
  return <ol class="top-list">{rows.map(([k, s]) => <li><span class="ellipsis" title={k}>{k}</span> <span class="muted">{duration(s)}</span></li>)}</ol>;
}

/** The day in mode colours; dragging across it selects a range to label. */
function DayTimeline({ start, end, events, onLabelled }: { start: Date; end: Date; events: Event[]; onLabelled: () => void }) {
  const t = useT();
  const [modes, setModes] = useState<string[]>([]);
  const [sel, setSel] = useState<[number, number] | null>(null);
  const [drag, setDrag] = useState<number | null>(null);
  const [mode, setMode] = useState('');
  const [msg, setMsg] = useState<string | null>(null);
  const bar = useRef<HTMLDivElement>(null);
  useEffect(() => {
    get<S['ModeList']>('/modes').then((l) => { setModes(l.items.map((m) => m.name)); setMode((m) => m || l.items[0]?.name || ''); }, () => undefined);
  }, []);
  const span = end.getTime() - start.getTime();
  const at = (clientX: number) => {
    const r = bar.current!.getBoundingClientRect();
    return start.getTime() + Math.min(1, Math.max(0, (clientX - r.left) / r.width)) * span;
  };
  const keys = [...new Set(events.map((e) => e.mode?.mode ?? 'unlabelled'))].sort();
  const label = async (e: globalThis.Event) => {
    e.preventDefault();
    if (!sel) return;
    try {
      const res = await send<S['Labelled']>('POST', '/activity/labels', { mode, start: new Date(sel[0]).toISOString(), end: new Date(sel[1]).toISOString() });
      setMsg(t('activity.labelled', { count: res.labelled, mode }));
      setSel(null);
      onLabelled();
    } catch (err) {
      setMsg(errorText(err));
    }
  };
  const time = (ms: number) => new Date(ms).toLocaleTimeString(lang(), { hour: '2-digit', minute: '2-digit' });
  return (
    <section aria-labelledby="day-title">
      <h2 id="day-title">{t('activity.dayTitle')}</h2>
      <div ref={bar} class="daybar" data-testid="daybar"
        onPointerDown={(e) => { setDrag(at(e.clientX)); setSel(null); }}
        onPointerMove={(e) => drag !== null && setSel([Math.min(drag, at(e.clientX)), Math.max(drag, at(e.clientX))])}
        onPointerUp={(e) => { if (drag !== null) { const x = at(e.clientX); setSel([Math.min(drag, x), Math.max(drag, x)]); } setDrag(null); }}>
        {events.map((e) => {
          const k = e.mode?.mode ?? 'unlabelled';
          const left = ((e.timestamp - start.getTime()) / span) * 100;
          return <div class="seg" title={`${time(e.timestamp)} ${keyName(k)}: ${String((e.data as unknown as { app?: string }).app ?? '')}`}
            style={{ left: `${left}%`, width: `${Math.max(0.05, (e.duration * 1000 / span) * 100)}%`, background: colour(k, keys) }} />;
        })}
        {sel && <div class="selection" style={{ left: `${((sel[0] - start.getTime()) / span) * 100}%`, width: `${((sel[1] - sel[0]) / span) * 100}%` }} />}
      </div>
      <div class="legend">{keys.map((k) => <span><i style={{ background: colour(k, keys) }} /> {keyName(k)}</span>)}</div>
      <form class="toolbar write" onSubmit={label}>
        <span aria-live="polite">{sel ? t('activity.selected', { from: time(sel[0]), to: time(sel[1]) }) : t('activity.dragHint')}</span>
        <label for="label-mode">{t('activity.mode')}</label>
          <select id="label-mode" value={mode} onChange={(e) => setMode((e.target as HTMLSelectElement).value)}>
            {modes.map((m) => <option value={m}>{m}</option>)}
          </select>
        <button type="submit" class="primary" disabled={!sel || !mode}>{t('activity.labelSelection')}</button>
      </form>
      {msg && <p role="status">{msg}</p>}
    </section>
  );
}

type Evaluation = { algorithm: string; accuracy: number; macro_f1: number; confusion: number[][] };
type Report = { classes: string[]; candidates: Evaluation[]; chosen: string; samples: number };

function Modes() {
  const t = useT();
  const [modes, setModes] = useState<S['ModeInfo'][]>([]);
  const [models, setModels] = useState<S['ModeModelInfo'][]>([]);
  const [name, setName] = useState('');
  const [job, setJob] = useState<Job | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    get<S['ModeList']>('/modes').then((l) => setModes(l.items), () => undefined);
    get<S['ModelList']>('/modes/models').then((l) => setModels(l.items), () => undefined);
  }, [tick]);
  const act = async (f: () => Promise<unknown>) => {
    setError(null);
    try { await f(); setTick((x) => x + 1); } catch (e) { setError(errorText(e)); }
  };
  const train = () => act(async () => {
    const j = await send<Job>('POST', '/modes/train');
    setJob(j);
    followJob(j.id, (n) => { setJob(n); if (n.state === 'succeeded' || n.state === 'failed') setTick((x) => x + 1); });
  });
  return (
    <section aria-labelledby="modes-title">
      <h2 id="modes-title">{t('activity.modes.title')}</h2>
      <ul class="modes">{modes.map((m) => <li><span translate={false}>{m.name}</span> <span class="muted">{t('activity.modes.labelledEvents', { count: m.labelled_events })}</span></li>)}</ul>
      <form class="toolbar write" onSubmit={(e) => { e.preventDefault(); act(() => send('POST', '/modes', { name: name.trim() }).then(() => setName(''))); }}>
        <label>{t('activity.modes.newMode')} <input value={name} required onInput={(e) => setName((e.target as HTMLInputElement).value)} /></label>
        <button type="submit">{t('activity.modes.add')}</button>
        <button type="button" class="primary" onClick={train}>{t('activity.modes.train')}</button>
      </form>
      {job && <JobProgress job={job} />}
      {error && <p role="alert" class="error">{error}</p>}
      <h3>{t('activity.models.title')}</h3>
      {models.length === 0 && <p class="muted">{t('activity.models.none')}</p>}
      {models.map((m) => {
        const r = m.metrics as unknown as Report;
        const chosen = r.candidates?.find((c) => c.algorithm === r.chosen);
        return (
          <article class="card model" data-version={m.version}>
            <h4>{t('activity.models.version', { version: m.version })} {m.active && <span class="badge state-succeeded">{t('activity.models.active')}</span>}</h4>
            <p>{m.algorithm}{chosen && <> · {t('activity.models.accuracy', { value: percent(chosen.accuracy) })} · {t('activity.models.macroF1', { value: number(chosen.macro_f1, 3) })}</>} · {t('activity.models.samples', { count: r.samples })}</p>
            {chosen && <Confusion classes={r.classes} matrix={chosen.confusion} />}
            {!m.active && <button type="button" class="write" onClick={() => act(() => send('POST', `/modes/models/${m.version}/activate`))}>{t('activity.models.activate', { version: m.version })}</button>}
          </article>
        );
      })}
    </section>
  );
}

/** The confusion matrix as a heat map: a table (readable by a screen reader) shaded by share of its row. */
function Confusion({ classes, matrix }: { classes: string[]; matrix: number[][] }) {
  const t = useT();
  return (
    <table class="confusion">
      <caption>{t('activity.models.confusion')}</caption>
      <thead><tr><td />{classes.map((c) => <th scope="col">{c}</th>)}</tr></thead>
      <tbody>
        {matrix.map((row, i) => {
          const total = row.reduce((a, b) => a + b, 0) || 1;
          return (
            <tr><th scope="row">{classes[i]}</th>
              {row.map((v) => <td style={{ background: `rgba(59,130,246,${((v / total) * 0.45).toFixed(2)})` }}>{v}</td>)}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
