import { useEffect, useState } from 'preact/hooks';
import { Pager, usePages } from '../components/Pager';
import { ApiError, get, send, type Job, type S, type Session } from '../api';
import { bytes, date, duration } from '../format';

function Jobs() {
  const pages = usePages();
  const [page, setPage] = useState<S['JobPage'] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const cursor = pages.cursor;
  useEffect(() => {
    get<S['JobPage']>('/jobs', { limit: 25, order: 'desc', cursor }).then(setPage, (e: ApiError) => setError(e.message));
    // Running jobs move: look again every few seconds while the page is open.
    const t = setTimeout(() => setTick((x) => x + 1), 3000);
    return () => clearTimeout(t);
  }, [cursor, tick]);
  const cancel = (j: Job) => send('POST', `/jobs/${j.id}/cancel`).then(() => setTick((x) => x + 1), (e: ApiError) => setError(e.message));
  return (
    <section aria-labelledby="jobs-title">
      <h2 id="jobs-title">Jobs</h2>
      {error && <p role="alert" class="error">{error}</p>}
      <div class="table-wrap">
        <table>
          <thead><tr><th scope="col">Created</th><th scope="col">Media</th><th scope="col">Stages</th><th scope="col">State</th><th scope="col">Error</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {page?.items.map((j) => (
              <tr data-job={j.id}>
                <td>{date(j.created_at)}</td>
                <td>{j.media_id ? <a href={`/media/${j.media_id}`}>{j.media_id.slice(0, 8)}</a> : 'workspace'}</td>
                <td>{j.stages.map((s) => s.name).join(', ')}</td>
                <td><span class={`badge state-${j.state}`}>{j.state}{j.state === 'running' ? ` ${Math.round(j.progress * 100)} %` : ''}</span> <span class="muted">attempt {j.attempts}/{j.max_attempts}</span></td>
                <td class="error-cell">{j.error ? `${j.error.message} (${j.error.code})` : ''}</td>
                <td>{(j.state === 'queued' || j.state === 'running') && <button type="button" class="small" onClick={() => cancel(j)}>Cancel</button>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pager pages={pages} next={page?.next_cursor} label="Job pages" />
    </section>
  );
}

function Workers() {
  const [workers, setWorkers] = useState<S['WorkerStatus'][] | null>(null);
  const [usage, setUsage] = useState<S['UsageReport'] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    get<S['WorkerList']>('/workers').then((l) => setWorkers(l.items), (e: ApiError) => setError(e.message));
    get<S['UsageReport']>('/usage').then(setUsage, () => undefined);
  }, []);
  return (
    <section aria-labelledby="workers-title">
      <h2 id="workers-title">Workers</h2>
      {error && <p role="alert" class="error">{error}</p>}
      {workers && workers.length === 0 && <p class="muted">No remote worker has connected; jobs run in the server's own workers.</p>}
      <ul class="workers">
        {workers?.map((w) => (
          <li class="card"><strong>{w.name}</strong> <span class={`badge ${w.online ? 'state-succeeded' : 'state-failed'}`}>{w.online ? 'online' : 'offline'}</span>
            <div class="muted">capabilities: {w.capabilities.join(', ') || '–'} · analyzers: {w.analyzers.join(', ')}</div>
          </li>
        ))}
      </ul>
      {usage?.server?.budget && (
        <p class="budget">Budget ({usage.server.budget.capability}): {duration(usage.server.budget.used_today)} of {duration(usage.server.budget.seconds_per_day)} today{' '}
          <progress aria-label="Budget used today" max={usage.server.budget.seconds_per_day} value={usage.server.budget.used_today} />
          {!usage.server.budget.dispatching && <strong> spent: no more remote jobs today</strong>}
        </p>
      )}
      {usage && usage.items.length > 0 && (
        <table>
          <caption>Busy time of this workspace</caption>
          <thead><tr><th scope="col">Day</th><th scope="col">Capability</th><th scope="col">Busy</th></tr></thead>
          <tbody>{usage.items.map((r) => <tr><td>{r.day}</td><td>{r.capability}</td><td>{duration(r.seconds)}</td></tr>)}</tbody>
        </table>
      )}
    </section>
  );
}

function Models() {
  const [models, setModels] = useState<S['ModelInfo'][] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    get<S['ModelInfoList']>('/models').then((l) => {
      setModels(l.items);
      if (l.items.some((m) => m.pull?.state === 'running')) setTimeout(() => setTick((t) => t + 1), 1000);
    }, (e: ApiError) => setError(e.message));
  }, [tick]);
  const pull = (name: string) => send('POST', `/models/${encodeURIComponent(name)}/pull`).then(() => setTick((t) => t + 1), (e: ApiError) => setError(e.message));
  return (
    <section aria-labelledby="models-title">
      <h2 id="models-title">Models</h2>
      {error && <p role="alert" class="error">{error}</p>}
      <div class="table-wrap">
        <table>
          <thead><tr><th scope="col">Model</th><th scope="col">Kind</th><th scope="col">Size</th><th scope="col">State</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {models?.map((m) => (
              <tr data-model={m.name}>
                <td>{m.name}{m.default && <span class="badge">default</span>}</td>
                <td>{m.kind}</td>
                <td>{bytes(m.size)}</td>
                <td>
                  <span class={`badge ${m.state === 'installed' ? 'state-succeeded' : ''}`}>{m.pull?.state === 'running' ? 'pulling' : m.state}</span>
                  {m.pull?.state === 'running' && <progress aria-label={`Pulling ${m.name}`} />}
                  {m.pull?.state === 'failed' && <span role="alert" class="error">{m.pull.error}</span>}
                </td>
                <td>{m.state !== 'installed' && m.pull?.state !== 'running' && <button type="button" class="small" onClick={() => pull(m.name)}>Pull</button>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** The workspace's members (admins): add one, change a role, disable. */
function Team() {
  const [users, setUsers] = useState<S['UserPage'] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const [form, setForm] = useState({ name: '', password: '', role: 'viewer' as S['Role'] });
  useEffect(() => {
    get<S['UserPage']>('/users', { limit: 100 }).then(setUsers, (e: ApiError) => setError(e.message));
  }, [tick]);
  const act = (p: Promise<unknown>) => p.then(() => { setError(null); setTick((t) => t + 1); }, (e: ApiError) => setError(e.message));
  const add = (e: Event) => {
    e.preventDefault();
    act(send('POST', '/users', form).then(() => setForm({ name: '', password: '', role: 'viewer' })));
  };
  return (
    <section aria-labelledby="team-title">
      <h2 id="team-title">Users</h2>
      {error && <p role="alert" class="error">{error}</p>}
      <div class="table-wrap">
      <table>
        <thead><tr><th>Name</th><th>Role</th><th>Since</th><th>State</th></tr></thead>
        <tbody>
          {users?.items.map((u) => (
            <tr>
              <td>{u.name}</td>
              <td>
                <label class="sr-only" for={`role-${u.id}`}>Role of {u.name}</label>
                <select id={`role-${u.id}`} value={u.role} onChange={(e) => act(send('PATCH', `/users/${u.id}`, { role: (e.target as HTMLSelectElement).value }))}>
                  <option value="viewer">viewer</option><option value="editor">editor</option><option value="admin">admin</option>
                </select>
              </td>
              <td>{date(u.created_at)}</td>
              <td>
                <button type="button" class="small" onClick={() => act(send('PATCH', `/users/${u.id}`, { disabled: !u.disabled }))}>
                  {u.disabled ? `Enable ${u.name}` : `Disable ${u.name}`}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      </div>
      <form class="toolbar" onSubmit={add} aria-label="Add a user">
        <label>Name <input required value={form.name} onInput={(e) => setForm({ ...form, name: (e.target as HTMLInputElement).value })} /></label>
        <label>Password <input type="password" autoComplete="new-password" required minLength={8} value={form.password} onInput={(e) => setForm({ ...form, password: (e.target as HTMLInputElement).value })} /></label>
        <label>Role{' '}
          <select value={form.role} onChange={(e) => setForm({ ...form, role: (e.target as HTMLSelectElement).value as S['Role'] })}>
            <option value="viewer">viewer</option><option value="editor">editor</option><option value="admin">admin</option>
          </select>
        </label>
        <button type="submit" class="primary">Add user</button>
      </form>
    </section>
  );
}

/** The latest entries of the audit log (admins). */
function Audit() {
  const pages = usePages();
  const [page, setPage] = useState<S['AuditPage'] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const cursor = pages.cursor;
  useEffect(() => {
    get<S['AuditPage']>('/audit', { limit: 20, cursor }).then(setPage, (e: ApiError) => setError(e.message));
  }, [cursor]);
  return (
    <section aria-labelledby="audit-title">
      <h2 id="audit-title">Audit log</h2>
      {error && <p role="alert" class="error">{error}</p>}
      <p><a href="/api/v1/audit?format=csv&limit=1000" download="audit.csv">Download as CSV</a></p>
      <div class="table-wrap">
      <table>
        <thead><tr><th>When</th><th>Who</th><th>What</th><th>Resource</th><th>Outcome</th><th>From</th></tr></thead>
        <tbody>
          {page?.items.map((i) => (
            <tr>
              <td>{date(i.at)}</td><td>{i.actor}</td><td>{i.action}</td><td><code>{i.resource}</code></td>
              <td>{i.outcome}</td><td>{i.address ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      </div>
      <Pager pages={pages} next={page?.next_cursor} />
    </section>
  );
}

export function Admin({ session }: { session: Session }) {
  const admin = session.role === 'admin';
  return (
    <>
      <h1>Admin</h1>
      <Jobs />
      {session.admin ? (
        <>
          <Workers />
          <Models />
        </>
      ) : <p class="muted">Workers and models are server-wide: admins of an admin workspace see them.</p>}
      {admin && <Team />}
      {admin && <Audit />}
      <section>
        <h2>API keys</h2>
        <p>Make a key for scripts with <code>POST /api/v1/keys</code> (it acts with your role, or a narrower one), or on the server: <code>aima admin create-key --workspace {session.workspace}</code>.</p>
      </section>
    </>
  );
}
