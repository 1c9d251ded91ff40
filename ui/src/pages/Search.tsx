import { useEffect, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { ApiError, get, url, type S } from '../api';
import { clock, percent } from '../format';
import { errorText, useT } from '../i18n';

type Hit = S['SearchHit'];

/** The hit's text with its matched words in <mark>. */
function Marked({ hit }: { hit: Hit }) {
  const parts: (string | preact.JSX.Element)[] = [];
  const chars = Array.from(hit.text);
  let at = 0;
  for (const [a, b] of [...hit.marks].sort((x, y) => x[0] - y[0])) {
    if (a < at) continue;
    parts.push(chars.slice(at, a).join(''), <mark>{chars.slice(a, b).join('')}</mark>);
    at = b;
  }
  parts.push(chars.slice(at).join(''));
  return <span class="hit-text">{parts}</span>;
}

function FaceSearch() {
  const t = useT();
  const [matches, setMatches] = useState<S['PersonMatch'][] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [persons, setPersons] = useState<Map<string, string>>(new Map());
  const search = async (file: File | undefined) => {
    if (!file) return;
    setError(null);
    try {
      const res = await fetch(url('/search/faces'), {
        method: 'POST', body: file, credentials: 'same-origin',
        headers: { 'Content-Type': 'application/octet-stream', 'X-AIMA-CSRF': '1' },
      });
      const body = await res.json();
      if (!res.ok) throw new ApiError(res.status, body.error?.code, body.error?.message);
      const found = (body as S['PersonMatches']).items;
      setMatches(found);
      const named = await Promise.all(found.map((m) => get<S['Person']>(`/persons/${m.person_id}`).catch(() => null)));
      setPersons(new Map(named.filter((p): p is S['Person'] => !!p).map((p) => [p.id, p.name ?? t('search.unnamed')])));
    } catch (e) {
      setError(errorText(e));
    }
  };
  return (
    <details class="card">
      <summary>{t('search.byFace')}</summary>
      <div class="drop small" onDragOver={(e) => e.preventDefault()}
        onDrop={(e) => { e.preventDefault(); search(e.dataTransfer?.files[0]); }}>
        <label for="face-file">{t('search.dropFace')}</label>{' '}
        <input id="face-file" type="file" accept="image/*" onChange={(e) => search((e.target as HTMLInputElement).files?.[0])} />
      </div>
      {error && <p role="alert" class="error">{error}</p>}
      {matches && (matches.length === 0 ? <p class="muted">{t('search.noFaceMatch')}</p> : (
        <ul class="face-matches">
          {matches.map((m) => (
            <li>
              <a href={`/persons/${m.person_id}`}>{persons.get(m.person_id) ?? m.person_id}</a> ({percent(m.score)}):{' '}
              {m.appearances.slice(0, 10).map((a) => <a class="button small" href={`/media/${a.media_id}?t=${a.start}`}>{clock(a.start)}</a>)}
            </li>
          ))}
        </ul>
      ))}
    </details>
  );
}

export function SearchPage() {
  const t = useT();
  const { query, route } = useLocation();
  const q = query.q ?? '';
  const [text, setText] = useState(q);
  const [mode, setMode] = useState(query.mode ?? 'hybrid');
  const [kind, setKind] = useState(query.kind ?? '');
  const [sort, setSort] = useState(query.sort ?? 'relevance');
  const [page, setPage] = useState<S['SearchPage'] | null>(null);
  const [more, setMore] = useState<Hit[]>([]);
  const [names, setNames] = useState<Map<string, string>>(new Map());
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    setText(q);
    if (!q) { setPage(null); return; }
    setBusy(true);
    setError(null);
    setMore([]);
    get<S['SearchPage']>('/search', { q, mode: query.mode, kind: query.kind, sort: query.sort, limit: 50 })
      .then(setPage, (e) => setError(errorText(e)))
      .finally(() => setBusy(false));
  }, [q, query.mode, query.kind, query.sort]);

  const hits = [...(page?.items ?? []), ...more];
  useEffect(() => {
    const missing = [...new Set(hits.map((h) => h.media_id))].filter((id) => !names.has(id));
    if (!missing.length) return;
    Promise.all(missing.map((id) => get<S['Media']>(`/media/${id}`).then((m) => [id, m.filename ?? id] as const).catch(() => [id, id] as const)))
      .then((pairs) => setNames((old) => new Map([...old, ...pairs])));
  }, [page, more]);

  const submit = (e: Event) => {
    e.preventDefault();
    const params = new URLSearchParams({ q: text });
    if (mode !== 'hybrid') params.set('mode', mode);
    if (kind) params.set('kind', kind);
    if (sort !== 'relevance') params.set('sort', sort);
    route(`/search?${params}`);
  };
  const loadMore = () => {
    const cursor = page?.next_cursor;
    if (!cursor) return;
    get<S['SearchPage']>('/search', { q, mode: query.mode, kind: query.kind, sort: query.sort, limit: 50, cursor })
      .then((p) => { setMore((m) => [...m, ...p.items]); setPage((old) => old && { ...old, next_cursor: p.next_cursor }); });
  };

  const groups = new Map<string, Hit[]>();
  for (const h of hits) groups.set(h.media_id, [...(groups.get(h.media_id) ?? []), h]);

  return (
    <>
      <h1>{t('search.title')}</h1>
      <form role="search" onSubmit={submit} class="search-form">
        <label class="sr-only" for="q">{t('search.label')}</label>
        <input id="q" type="search" value={text} placeholder={t('search.placeholder')}
          onInput={(e) => setText((e.target as HTMLInputElement).value)} />
        <button type="submit" class="primary">{t('search.submit')}</button>
        <label>{t('search.match')}{' '}
          <select value={mode} onChange={(e) => setMode((e.target as HTMLSelectElement).value)}>
            <option value="hybrid">{t('search.hybrid')}</option>
            <option value="text">{t('search.text')}</option>
            <option value="semantic">{t('search.semantic')}</option>
          </select>
        </label>
        <label>{t('search.kind')}{' '}
          <select value={kind} onChange={(e) => setKind((e.target as HTMLSelectElement).value)}>
            <option value="">{t('search.all')}</option>
            {(['video', 'audio', 'image'] as const).map((k) => <option value={k}>{t(`common.kind.${k}`)}</option>)}
          </select>
        </label>
        <label>{t('search.sort')}{' '}
          <select value={sort} onChange={(e) => setSort((e.target as HTMLSelectElement).value)}>
            <option value="relevance">{t('search.relevance')}</option><option value="date">{t('search.newest')}</option>
          </select>
        </label>
      </form>
      <FaceSearch />
      {busy && <p aria-live="polite">{t('search.searching')}</p>}
      {error && <p role="alert" class="error">{error}</p>}
      {page && !busy && hits.length === 0 && <p class="muted">{t('search.nothing', { q })}</p>}
      <ul class="results" aria-label={t('search.results')}>
        {[...groups.entries()].map(([mediaId, hs]) => (
          <li class="card result" data-media={mediaId}>
            <h2><a href={`/media/${mediaId}`}>{names.get(mediaId) ?? mediaId}</a></h2>
            <ul>
              {hs.map((h) => (
                <li class="hit">
                  <a href={`/media/${mediaId}?t=${h.start}`} class="hit-link">
                    <span class="time">{clock(h.start)}</span> <span class="badge" data-kind={h.kind}>{t(`common.insight.${h.kind}`, { defaultValue: h.kind })}</span> <Marked hit={h} />
                  </a>
                </li>
              ))}
            </ul>
          </li>
        ))}
      </ul>
      {page?.next_cursor && <button type="button" onClick={loadMore}>{t('search.more')}</button>}
    </>
  );
}
