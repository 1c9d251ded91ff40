import { useEffect, useState } from 'preact/hooks';
import { Pager, usePages } from '../components/Pager';
import { useRoute } from 'preact-iso';
import { artifactUrl, get, send, type Person, type S } from '../api';
import { clock } from '../format';
import { errorText, useT } from '../i18n';

function Face({ face, size = 96 }: { face?: S['FaceRecord'] | null; size?: number }) {
  if (!face?.artifact) return <span class="face-empty" style={{ width: size, height: size }} aria-hidden="true" />;
  return <img class="face" src={artifactUrl(face.media_id, face.artifact)} alt="" width={size} height={size} loading="lazy" />;
}

/** A person's name, edited in place: Enter or leaving the field saves it. */
function NameField({ person, onSaved }: { person: Person; onSaved: (p: Person) => void }) {
  const t = useT();
  const [name, setName] = useState(person.name ?? '');
  const [error, setError] = useState<string | null>(null);
  useEffect(() => setName(person.name ?? ''), [person.name]);
  const save = async () => {
    if ((person.name ?? '') === name.trim()) return;
    try {
      onSaved(await send<Person>('PATCH', `/persons/${person.id}`, { name: name.trim() || null }));
      setError(null);
    } catch (e) {
      setError(errorText(e));
    }
  };
  return (
    <>
      <label class="sr-only" for={`name-${person.id}`}>{t('persons.name')}</label>
      <input id={`name-${person.id}`} class="name-input" value={name} placeholder={t('persons.unnamed')}
        readOnly={document.body.dataset.role === 'viewer'}
        onInput={(e) => setName((e.target as HTMLInputElement).value)}
        onBlur={save} onKeyDown={(e) => e.key === 'Enter' && (e.target as HTMLInputElement).blur()} />
      {error && <span role="alert" class="error">{error}</span>}
    </>
  );
}

export function Persons() {
  const t = useT();
  const pages = usePages();
  const [page, setPage] = useState<S['PersonPage'] | null>(null);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const cursor = pages.cursor;
  useEffect(() => {
    get<S['PersonPage']>('/persons', { limit: 48, cursor }).then(setPage, (e) => setError(errorText(e)));
  }, [cursor, tick]);

  const merge = async () => {
    const [into, ...rest] = [...selected];
    try {
      for (const from of rest) await send('POST', `/persons/${into}/merge`, { from });
      setSelected(new Set());
      setTick((n) => n + 1);
    } catch (e) {
      setError(errorText(e));
    }
  };
  const replace = (p: Person) => setPage((old) => old && { ...old, items: old.items.map((x) => (x.id === p.id ? p : x)) });

  return (
    <>
      <h1>{t('persons.title')}</h1>
      <div class="toolbar">
        <button type="button" class="write" disabled={selected.size < 2} onClick={merge}>
          {selected.size > 1 ? t('persons.merge', { count: selected.size }) : t('persons.mergeNone')}
        </button>
        <span class="muted">{t('persons.mergeHelp')}</span>
      </div>
      {error && <p role="alert" class="error">{error}</p>}
      {page && page.items.length === 0 && <p class="muted">{t('persons.empty', { analyzer: 'faces' })}</p>}
      <ul class="grid persons" aria-label={t('persons.title')}>
        {page?.items.map((p) => (
          <li class="card person" data-id={p.id}>
            <a href={`/persons/${p.id}`} aria-label={p.name ? t('persons.open', { name: p.name }) : t('persons.openUnnamed')}><Face face={p.cover} /></a>
            <NameField person={p} onSaved={replace} />
            <span class="muted">{t('persons.counts', { faces: t('persons.faceCount', { count: p.faces }), media: t('persons.mediaCount', { count: p.media }) })}</span>
            <label class="check"><input type="checkbox" checked={selected.has(p.id)} onChange={(e) => {
              const next = new Set(selected);
              if ((e.target as HTMLInputElement).checked) next.add(p.id); else next.delete(p.id);
              setSelected(next);
            }} /> {t('persons.select')}</label>
          </li>
        ))}
      </ul>
      <Pager pages={pages} next={page?.next_cursor} />
    </>
  );
}

export function PersonPage() {
  const t = useT();
  const { params } = useRoute();
  const [person, setPerson] = useState<Person | null>(null);
  const [faces, setFaces] = useState<S['FaceRecord'][]>([]);
  const [appearances, setAppearances] = useState<S['Appearance'][]>([]);
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    get<Person>(`/persons/${params.id}`).then(setPerson, (e) => setError(errorText(e)));
    get<S['FaceList']>(`/persons/${params.id}/faces`, { limit: 200 }).then((l) => setFaces(l.items), () => undefined);
    get<S['AppearanceList']>(`/persons/${params.id}/appearances`).then((l) => setAppearances(l.items), () => undefined);
  }, [params.id, tick]);
  const split = async () => {
    try {
      const made = await send<Person>('POST', `/persons/${params.id}/split`, { faces: [...selected] });
      setSelected(new Set());
      setTick((n) => n + 1);
      setError(null);
      location.assign(`/persons/${made.id}`);
    } catch (e) {
      setError(errorText(e));
    }
  };
  if (!person) return error ? <p role="alert" class="error">{error}</p> : <p>{t('common.loading')}</p>;
  return (
    <>
      <h1>{person.name ?? t('persons.unnamed')}</h1>
      <div class="toolbar"><NameField person={person} onSaved={setPerson} /></div>
      {error && <p role="alert" class="error">{error}</p>}
      <h2>{t('persons.appearances')}</h2>
      <ul class="appearances">
        {appearances.map((a) => (
          <li><a href={`/media/${a.media_id}`}>{a.filename ?? a.media_id}</a>:{' '}
            {a.ranges.map((r) => <a class="button small" href={`/media/${a.media_id}?t=${r.start}`}>{clock(r.start)}{r.end != null ? `–${clock(r.end)}` : ''}</a>)}
          </li>
        ))}
      </ul>
      <h2>{t('persons.faces')}</h2>
      <div class="toolbar">
        <button type="button" class="write" disabled={!selected.size || selected.size === faces.length} onClick={split}>
          {selected.size ? t('persons.split', { count: selected.size }) : t('persons.splitNone')}
        </button>
      </div>
      <ul class="faces">
        {faces.map((f) => (
          <li>
            <label class="check">
              <input type="checkbox" checked={selected.has(f.insight_id)} onChange={(e) => {
                const next = new Set(selected);
                if ((e.target as HTMLInputElement).checked) next.add(f.insight_id); else next.delete(f.insight_id);
                setSelected(next);
              }} />
              <Face face={f} size={72} />
              <span class="sr-only">{t('persons.faceAt', { time: clock(f.start) })}</span>
            </label>
            <a href={`/media/${f.media_id}?t=${f.start}`}>{clock(f.start)}</a>
          </li>
        ))}
      </ul>
    </>
  );
}
