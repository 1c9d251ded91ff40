import { useEffect, useState } from 'preact/hooks';
import { Pager, usePages } from '../components/Pager';
import { followJob, get, send, thumbnailUrl, upload, type Job, type Media, type S } from '../api';
import { bytes, clock, date, percent } from '../format';
import { errorText, useT } from '../i18n';
import { JobProgress } from '../components/JobProgress';
import { MissingModels } from '../components/MissingModels';
import { useAdmin } from '../session';

type Upload = { name: string; sent: number; media?: Media; job?: Job; error?: string };

function Uploads({ onUploaded }: { onUploaded: () => void }) {
  const t = useT();
  const admin = useAdmin();
  const [uploads, setUploads] = useState<Upload[]>([]);
  const [over, setOver] = useState(false);
  const patch = (i: number, p: Partial<Upload>) =>
    setUploads((all) => all.map((u, j) => (j === i ? { ...u, ...p } : u)));

  const start = (files: FileList | null) => {
    if (!files?.length) return;
    const list = Array.from(files);
    setUploads((all) => {
      const base = all.length;
      list.forEach((file, k) => {
        const i = base + k;
        upload(file, (sent) => patch(i, { sent }))
          .then((res) => {
            patch(i, { sent: 1, media: res.media });
            onUploaded();
            if (res.job_id) followJob(res.job_id, (job) => {
              patch(i, { job });
              if (job.state === 'succeeded' || job.state === 'partial') onUploaded();
            });
          })
          .catch((e) => patch(i, { error: errorText(e) }));
      });
      return [...all, ...list.map((f) => ({ name: f.name, sent: 0 }))];
    });
  };

  return (
    <section aria-labelledby="upload-title">
      <h2 id="upload-title" class="sr-only">{t('library.upload')}</h2>
      <div
        class={'drop' + (over ? ' over' : '')}
        onDragOver={(e) => { e.preventDefault(); setOver(true); }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => { e.preventDefault(); setOver(false); start(e.dataTransfer?.files ?? null); }}
      >
        <p>{t('library.drop')}</p>
        <label class="button primary" for="files">{t('library.choose')}</label>
        <input id="files" class="sr-only" type="file" multiple accept="video/*,audio/*,image/*"
          onChange={(e) => { start((e.target as HTMLInputElement).files); (e.target as HTMLInputElement).value = ''; }} />
      </div>
      <MissingModels admin={admin} />
      {uploads.length > 0 && (
        <ul class="uploads" aria-label={t('library.uploads')}>
          {uploads.map((u) => (
            <li class="upload" data-name={u.name}>
              <span class="name">{u.name}</span>
              {u.error ? <span role="alert" class="error">{u.error}</span> : (
                <>
                  <progress aria-label={t('library.uploadOf', { name: u.name })} max={1} value={u.sent} />
                  {u.job && <JobProgress job={u.job} />}
                  {u.media && !u.job && u.sent >= 1 && <span class="muted">{t('library.uploaded')}</span>}
                  {u.media && <a href={`/media/${u.media.id}`}>{t('library.open')}</a>}
                </>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function AnalysisState({ id, onState }: { id: string; onState: (state: string) => void }) {
  const t = useT();
  const [job, setJob] = useState<Job | null | undefined>(undefined);
  useEffect(() => onState(job?.state ?? 'none'), [job?.state]);
  useEffect(() => {
    let stop = () => {};
    get<S['JobPage']>('/jobs', { media_id: id, limit: 1, order: 'desc' }).then((page) => {
      const j = page.items[0] ?? null;
      setJob(j);
      if (j && (j.state === 'queued' || j.state === 'running')) stop = followJob(j.id, setJob);
    }, () => setJob(null));
    return () => stop();
  }, [id]);
  if (job === undefined) return <span class="badge">…</span>;
  if (job === null) return <span class="badge">{t('library.notAnalysed')}</span>;
  return (
    <span class={`badge state-${job.state}`}>
      {job.state === 'running' ? t('common.job.running', { percent: percent(job.progress) }) : t(`common.state.${job.state}`)}
    </span>
  );
}

function MediaCard({ media: m, tick, onDelete }: { media: Media; tick: number; onDelete: () => void }) {
  const t = useT();
  // The thumbnail is the first keyframe: asked for again when the analysis ends.
  const [state, setState] = useState('none');
  return (
    <li class="card media-card" data-id={m.id}>
      <a href={`/media/${m.id}`} class="thumb">
        {m.kind === 'audio' ? <span class="thumb-audio" aria-hidden="true">♪</span> : (
          <img key={state} src={thumbnailUrl(m.id)} alt="" loading="lazy" width={320} height={180}
            onError={(e) => ((e.target as HTMLImageElement).style.visibility = 'hidden')} />
        )}
        <span class="title">{m.filename ?? m.id}</span>
      </a>
      <div class="meta">
        <span data-kind={m.kind}>{t(`common.kind.${m.kind}`)}</span>
        {m.duration != null && <span>{clock(m.duration)}</span>}
        <span>{bytes(m.size)}</span>
        <AnalysisState id={m.id} key={`${m.id}-${tick}`} onState={setState} />
      </div>
      <div class="meta">
        <time class="muted">{date(m.created_at)}</time>
        <button type="button" class="danger small write" onClick={onDelete} aria-label={t('library.deleteNamed', { name: m.filename ?? m.id })}>{t('library.delete')}</button>
      </div>
    </li>
  );
}

export function Library() {
  const t = useT();
  const [kind, setKind] = useState('');
  const [order, setOrder] = useState<'desc' | 'asc'>('desc');
  const pages = usePages();
  const [page, setPage] = useState<S['MediaPage'] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const cursor = pages.cursor;

  useEffect(() => {
    get<S['MediaPage']>('/media', { limit: 24, kind, order, cursor }).then(setPage, (e) => setError(errorText(e)));
  }, [kind, order, cursor, tick]);

  const remove = async (m: Media) => {
    if (!confirm(t('library.confirmDelete', { name: m.filename ?? m.id }))) return;
    try {
      await send('DELETE', `/media/${m.id}`);
      setTick((t) => t + 1);
    } catch (e) {
      setError(errorText(e));
    }
  };

  return (
    <>
      <h1>{t('library.title')}</h1>
      <div class="write"><Uploads onUploaded={() => setTick((t) => t + 1)} /></div>
      <div class="toolbar" role="group" aria-label={t('library.filters')}>
        <label>{t('library.kind')}{' '}
          <select id="library-kind" value={kind} onChange={(e) => { setKind((e.target as HTMLSelectElement).value); pages.reset(); }}>
            <option value="">{t('library.all')}</option>
            {(['video', 'audio', 'image'] as const).map((k) => <option value={k}>{t(`common.kind.${k}`)}</option>)}
          </select>
        </label>
        <label>{t('library.sort')}{' '}
          <select value={order} onChange={(e) => { setOrder((e.target as HTMLSelectElement).value as 'asc' | 'desc'); pages.reset(); }}>
            <option value="desc">{t('library.newest')}</option>
            <option value="asc">{t('library.oldest')}</option>
          </select>
        </label>
      </div>
      {error && <p role="alert" class="error">{error}</p>}
      {page && page.items.length === 0 && <p class="muted">{t('library.empty')}</p>}
      <ul class="grid" aria-label={t('library.library')}>
        {page?.items.map((m) => <MediaCard media={m} tick={tick} onDelete={() => remove(m)} />)}
      </ul>
      <Pager pages={pages} next={page?.next_cursor} />
    </>
  );
}
