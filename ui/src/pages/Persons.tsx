import { useEffect, useState } from 'preact/hooks';
import { Pager, usePages } from '../components/Pager';
import { useRoute } from 'preact-iso';
import { ApiError, artifactUrl, get, send, type Person, type S } from '../api';
import { clock } from '../format';

function Face({ face, size = 96 }: { face?: S['FaceRecord'] | null; size?: number }) {
  if (!face?.artifact) return <span class="face-empty" style={{ width: size, height: size }} aria-hidden="true" />;
  return <img class="face" src={artifactUrl(face.media_id, face.artifact)} alt="" width={size} height={size} loading="lazy" />;
}

/** A person's name, edited in place: Enter or leaving the field saves it. */
function NameField({ person, onSaved }: { person: Person; onSaved: (p: Person) => void }) {
  const [name, setName] = useState(person.name ?? '');
  const [error, setError] = useState<string | null>(null);
  useEffect(() => setName(person.name ?? ''), [person.name]);
  const save = async () => {
    if ((person.name ?? '') === name.trim()) return;
    try {
      onSaved(await send<Person>('PATCH', `/persons/${person.id}`, { name: name.trim() || null }));
      setError(null);
    } catch (e) {
      setError((e as ApiError).message);
    }
  };
  return (
    <>
      <label class="sr-only" for={`name-${person.id}`}>Name</label>
      <input id={`name-${person.id}`} class="name-input" value={name} placeholder="Unnamed person"
        readOnly={document.body.dataset.role === 'viewer'}
        onInput={(e) => setName((e.target as HTMLInputElement).value)}
        onBlur={save} onKeyDown={(e) => e.key === 'Enter' && (e.target as HTMLInputElement).blur()} />
      {error && <span role="alert" class="error">{error}</span>}
    </>
  );
}

export function Persons() {
  const pages = usePages();
  const [page, setPage] = useState<S['PersonPage'] | null>(null);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const cursor = pages.cursor;
  useEffect(() => {
    get<S['PersonPage']>('/persons', { limit: 48, cursor }).then(setPage, (e: ApiError) => setError(e.message));
  }, [cursor, tick]);

  const merge = async () => {
    const [into, ...rest] = [...selected];
    try {
      for (const from of rest) await send('POST', `/persons/${into}/merge`, { from });
      setSelected(new Set());
      setTick((t) => t + 1);
    } catch (e) {
      setError((e as ApiError).message);
    }
  };
  const replace = (p: Person) => setPage((old) => old && { ...old, items: old.items.map((x) => (x.id === p.id ? p : x)) });

  return (
    <>
      <h1>Persons</h1>
      <div class="toolbar">
        <button type="button" class="write" disabled={selected.size < 2} onClick={merge}>Merge {selected.size > 1 ? selected.size : ''} selected</button>
        <span class="muted">Select persons who are one, then merge them into the first.</span>
      </div>
      {error && <p role="alert" class="error">{error}</p>}
      {page && page.items.length === 0 && <p class="muted">No faces found yet: analyse media with the faces analyzer.</p>}
      <ul class="grid persons" aria-label="Persons">
        {page?.items.map((p) => (
          <li class="card person" data-id={p.id}>
            <a href={`/persons/${p.id}`} aria-label={`Open ${p.name ?? 'unnamed person'}`}><Face face={p.cover} /></a>
            <NameField person={p} onSaved={replace} />
            <span class="muted">{p.faces} {p.faces === 1 ? 'face' : 'faces'} in {p.media} media</span>
            <label class="check"><input type="checkbox" checked={selected.has(p.id)} onChange={(e) => {
              const next = new Set(selected);
              if ((e.target as HTMLInputElement).checked) next.add(p.id); else next.delete(p.id);
              setSelected(next);
            }} /> Select</label>
          </li>
        ))}
      </ul>
      <Pager pages={pages} next={page?.next_cursor} />
    </>
  );
}

export function PersonPage() {
  const { params } = useRoute();
  const [person, setPerson] = useState<Person | null>(null);
  const [faces, setFaces] = useState<S['FaceRecord'][]>([]);
  const [appearances, setAppearances] = useState<S['Appearance'][]>([]);
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    get<Person>(`/persons/${params.id}`).then(setPerson, (e: ApiError) => setError(e.message));
    get<S['FaceList']>(`/persons/${params.id}/faces`, { limit: 200 }).then((l) => setFaces(l.items), () => undefined);
    get<S['AppearanceList']>(`/persons/${params.id}/appearances`).then((l) => setAppearances(l.items), () => undefined);
  }, [params.id, tick]);
  const split = async () => {
    try {
      const made = await send<Person>('POST', `/persons/${params.id}/split`, { faces: [...selected] });
      setSelected(new Set());
      setTick((t) => t + 1);
      setError(null);
      location.assign(`/persons/${made.id}`);
    } catch (e) {
      setError((e as ApiError).message);
    }
  };
  if (!person) return error ? <p role="alert" class="error">{error}</p> : <p>Loading…</p>;
  return (
    <>
      <h1>{person.name ?? 'Unnamed person'}</h1>
      <div class="toolbar"><NameField person={person} onSaved={setPerson} /></div>
      {error && <p role="alert" class="error">{error}</p>}
      <h2>Appearances</h2>
      <ul class="appearances">
        {appearances.map((a) => (
          <li><a href={`/media/${a.media_id}`}>{a.filename ?? a.media_id}</a>:{' '}
            {a.ranges.map((r) => <a class="button small" href={`/media/${a.media_id}?t=${r.start}`}>{clock(r.start)}{r.end != null ? `–${clock(r.end)}` : ''}</a>)}
          </li>
        ))}
      </ul>
      <h2>Faces</h2>
      <div class="toolbar">
        <button type="button" class="write" disabled={!selected.size || selected.size === faces.length} onClick={split}>Split {selected.size || ''} selected into a new person</button>
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
              <span class="sr-only">Face at {clock(f.start)}</span>
            </label>
            <a href={`/media/${f.media_id}?t=${f.start}`}>{clock(f.start)}</a>
          </li>
        ))}
      </ul>
    </>
  );
}
