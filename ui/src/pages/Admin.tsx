import { useEffect, useState } from 'preact/hooks';
import { Pager, usePages } from '../components/Pager';
import { get, send, url, type Job, type S, type Session } from '../api';
import { bytes, date, duration, money, percent } from '../format';
import { errorText, lang, useT } from '../i18n';

const MODEL_STATES = ['installed', 'partial', 'missing'] as const;
const OUTCOMES = ['ok', 'denied'] as const;
const ROLES = ['viewer', 'editor', 'admin'] as const;
const PROVISIONED_STATES = ['starting', 'running', 'stopped', 'failed'] as const;
const has = <T extends string>(list: readonly T[], s: string): s is T => (list as readonly string[]).includes(s);

/** A UTC day (YYYY-MM-DD) as the language writes it. */
const utcDay = (iso: string) => new Date(`${iso}T00:00:00Z`).toLocaleDateString(lang(), { dateStyle: 'medium', timeZone: 'UTC' });

function Jobs() {
  const t = useT();
  const pages = usePages();
  const [page, setPage] = useState<S['JobPage'] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const cursor = pages.cursor;
  useEffect(() => {
    get<S['JobPage']>('/jobs', { limit: 25, order: 'desc', cursor }).then(setPage, (e) => setError(errorText(e)));
    // Running jobs move: look again every few seconds while the page is open.
    const timer = setTimeout(() => setTick((x) => x + 1), 3000);
    return () => clearTimeout(timer);
  }, [cursor, tick]);
  const cancel = (j: Job) => send('POST', `/jobs/${j.id}/cancel`).then(() => setTick((x) => x + 1), (e) => setError(errorText(e)));
  return (
    <section aria-labelledby="jobs-title">
      <h2 id="jobs-title">{t('admin.jobs.title')}</h2>
      {error && <p role="alert" class="error">{error}</p>}
      <div class="table-wrap">
        <table>
          <thead><tr><th scope="col">{t('admin.jobs.created')}</th><th scope="col">{t('admin.jobs.media')}</th><th scope="col">{t('admin.jobs.stages')}</th><th scope="col">{t('admin.state')}</th><th scope="col">{t('admin.jobs.error')}</th><th scope="col"><span class="sr-only">{t('admin.actions')}</span></th></tr></thead>
          <tbody>
            {page?.items.map((j) => (
              <tr data-job={j.id}>
                <td>{date(j.created_at)}</td>
                <td>{j.media_id ? <a href={`/media/${j.media_id}`}>{j.media_id.slice(0, 8)}</a> : t('admin.jobs.workspace')}</td>
                <td translate={false}>{j.stages.map((s) => s.name).join(', ')}</td>
                <td><span class={`badge state-${j.state}`}>{j.state === 'running' ? t('common.job.running', { percent: percent(j.progress) }) : t(`common.state.${j.state}`)}</span> <span class="muted">{t('admin.jobs.attempt', { attempt: j.attempts, max: j.max_attempts })}</span></td>
                <td class="error-cell">{j.error ? errorText(j.error) : ''}</td>
                <td>{(j.state === 'queued' || j.state === 'running') && <button type="button" class="small" onClick={() => cancel(j)}>{t('admin.jobs.cancel')}</button>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pager pages={pages} next={page?.next_cursor} label={t('admin.jobs.pages')} />
    </section>
  );
}

/** The month's spending in money ([billing]): a banner once a budget is
 * spent or nearly, the month and today against their budgets, the cost per
 * workspace, and the CSV for accounting. */
function Spending({ month }: { month: S['MonthUsage'] }) {
  const t = useT();
  const m = (v: number) => money(v, month.currency);
  const share = month.budget ? month.cost / month.budget : 0;
  const banner = month.dispatching === false
    ? <p role="alert" class="budget-banner spent">{t('admin.spending.spent')}</p>
    : share >= 0.8 || (month.budget && month.forecast > month.budget)
      ? <p role="status" class="budget-banner">{t('admin.spending.near', { cost: m(month.cost), budget: m(month.budget ?? 0), forecast: m(month.forecast) })}</p>
      : null;
  return (
    <div class="spending" data-month={month.month}>
      {banner}
      <p>{month.budget
        ? t('admin.spending.month', { month: month.month, cost: m(month.cost), budget: m(month.budget), forecast: m(month.forecast) })
        : t('admin.spending.monthNoBudget', { month: month.month, cost: m(month.cost), forecast: m(month.forecast) })}
        {month.budget ? <> <progress aria-label={t('admin.spending.used')} max={month.budget} value={Math.min(month.cost, month.budget)} /></> : null}
      </p>
      <p class="muted">{month.today.budget
        ? t('admin.spending.today', { cost: m(month.today.cost), budget: m(month.today.budget) })
        : t('admin.spending.todayNoBudget', { cost: m(month.today.cost) })} · <span translate={false}>{month.time_zone}</span></p>
      {month.workspaces.length > 0 && (
        <table>
          <caption>{t('admin.spending.caption', { month: month.month })}</caption>
          <thead><tr><th scope="col">{t('admin.spending.workspace')}</th><th scope="col">{t('admin.spending.cost')}</th></tr></thead>
          <tbody>{month.workspaces.map((w) => <tr><td translate={false}>{w.workspace}</td><td>{m(w.cost)}</td></tr>)}</tbody>
        </table>
      )}
      <p><a href={url('/usage', { month: month.month, format: 'csv' })} download={`aima-usage-${month.month}.csv`}>{t('admin.spending.download')}</a></p>
    </div>
  );
}

function Workers() {
  const t = useT();
  const [workers, setWorkers] = useState<S['WorkerList'] | null>(null);
  const [usage, setUsage] = useState<S['UsageReport'] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    get<S['WorkerList']>('/workers').then(setWorkers, (e) => setError(errorText(e)));
    get<S['UsageReport']>('/usage').then(setUsage, () => undefined);
  }, []);
  return (
    <section aria-labelledby="workers-title">
      <h2 id="workers-title">{t('admin.workers.title')}</h2>
      {error && <p role="alert" class="error">{error}</p>}
      {usage?.month && <Spending month={usage.month} />}
      {workers && workers.items.length === 0 && <p class="muted">{t('admin.workers.none')}</p>}
      <ul class="workers">
        {workers?.items.map((w) => (
          <li class="card"><strong>{w.name}</strong> <span class={`badge ${w.online ? 'state-succeeded' : 'state-failed'}`}>{w.online ? t('admin.workers.online') : t('admin.workers.offline')}</span>
            {w.started_by === 'autoscale' && <> <span class="badge">{t('admin.workers.onDemand', { pool: w.pool ?? '' })}</span></>}
            <div class="muted">{t('admin.workers.capabilities', { list: w.capabilities.join(', ') || '–' })} · {t('admin.workers.analyzers', { list: w.analyzers.join(', ') })}</div>
          </li>
        ))}
      </ul>
      {workers && workers.provisioned.length > 0 && (
        <div class="table-wrap">
          <table>
            <caption>{t('admin.workers.provisioned')}</caption>
            <thead><tr><th scope="col">{t('admin.workers.name')}</th><th scope="col">{t('admin.workers.pool')}</th><th scope="col">{t('admin.state')}</th><th scope="col">{t('admin.workers.started')}</th><th scope="col">{t('admin.workers.reason')}</th></tr></thead>
            <tbody>{workers.provisioned.map((p) => (
              <tr data-provisioned={p.name}>
                <td translate={false}>{p.name}</td>
                <td translate={false}>{p.pool}</td>
                <td><span class={`badge ${p.state === 'failed' ? 'state-failed' : p.state === 'running' ? 'state-running' : ''}`}>{has(PROVISIONED_STATES, p.state) ? t(`admin.workers.states.${p.state}`) : p.state}</span></td>
                <td>{date(p.started_at)}</td>
                <td class="error-cell">{p.reason ?? ''}</td>
              </tr>
            ))}</tbody>
          </table>
        </div>
      )}
      {usage?.server?.budget && (
        <p class="budget">{t('admin.workers.budget', { capability: usage.server.budget.capability, used: duration(usage.server.budget.used_today), total: duration(usage.server.budget.seconds_per_day) })}{' '}
          <progress aria-label={t('admin.workers.budgetUsed')} max={usage.server.budget.seconds_per_day} value={usage.server.budget.used_today} />
          {!usage.server.budget.dispatching && <strong> {t('admin.workers.budgetSpent')}</strong>}
        </p>
      )}
      {usage && usage.items.length > 0 && (
        <table>
          <caption>{t('admin.usage.caption')}</caption>
          <thead><tr><th scope="col">{t('admin.usage.day')}</th><th scope="col">{t('admin.usage.capability')}</th><th scope="col">{t('admin.usage.busy')}</th></tr></thead>
          <tbody>{usage.items.map((r) => <tr><td>{utcDay(r.day)}</td><td translate={false}>{r.capability}</td><td>{duration(r.seconds)}</td></tr>)}</tbody>
        </table>
      )}
    </section>
  );
}

function Models() {
  const t = useT();
  const [models, setModels] = useState<S['ModelInfo'][] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    get<S['ModelInfoList']>('/models').then((l) => {
      setModels(l.items);
      if (l.items.some((m) => m.pull?.state === 'running')) setTimeout(() => setTick((x) => x + 1), 1000);
    }, (e) => setError(errorText(e)));
  }, [tick]);
  const pull = (name: string) => send('POST', `/models/${encodeURIComponent(name)}/pull`).then(() => setTick((x) => x + 1), (e) => setError(errorText(e)));
  return (
    <section aria-labelledby="models-title">
      <h2 id="models-title">{t('admin.models.title')}</h2>
      {error && <p role="alert" class="error">{error}</p>}
      <div class="table-wrap">
        <table>
          <thead><tr><th scope="col">{t('admin.models.model')}</th><th scope="col">{t('admin.models.kind')}</th><th scope="col">{t('admin.models.size')}</th><th scope="col">{t('admin.state')}</th><th scope="col"><span class="sr-only">{t('admin.actions')}</span></th></tr></thead>
          <tbody>
            {models?.map((m) => (
              <tr data-model={m.name}>
                <td><span translate={false}>{m.name}</span>{m.default && <span class="badge">{t('admin.models.default')}</span>}</td>
                <td>{m.kind}</td>
                <td>{bytes(m.size)}</td>
                <td>
                  <span class={`badge ${m.state === 'installed' ? 'state-succeeded' : ''}`}>{m.pull?.state === 'running' ? t('admin.models.state.pulling') : has(MODEL_STATES, m.state) ? t(`admin.models.state.${m.state}`) : m.state}</span>
                  {m.pull?.state === 'running' && <progress aria-label={t('admin.models.pulling', { name: m.name })} />}
                  {m.pull?.state === 'failed' && <span role="alert" class="error">{m.pull.error}</span>}
                </td>
                <td>{m.state !== 'installed' && m.pull?.state !== 'running' && <button type="button" class="small" onClick={() => pull(m.name)}>{t('admin.models.pull')}</button>}</td>
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
  const t = useT();
  const [users, setUsers] = useState<S['UserPage'] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const [form, setForm] = useState({ name: '', password: '', role: 'viewer' as S['Role'] });
  useEffect(() => {
    get<S['UserPage']>('/users', { limit: 100 }).then(setUsers, (e) => setError(errorText(e)));
  }, [tick]);
  const act = (p: Promise<unknown>) => p.then(() => { setError(null); setTick((x) => x + 1); }, (e) => setError(errorText(e)));
  const add = (e: Event) => {
    e.preventDefault();
    act(send('POST', '/users', form).then(() => setForm({ name: '', password: '', role: 'viewer' })));
  };
  return (
    <section aria-labelledby="team-title">
      <h2 id="team-title">{t('admin.team.title')}</h2>
      {error && <p role="alert" class="error">{error}</p>}
      <div class="table-wrap">
      <table>
        <thead><tr><th>{t('admin.team.name')}</th><th>{t('admin.team.role')}</th><th>{t('admin.team.since')}</th><th>{t('admin.state')}</th></tr></thead>
        <tbody>
          {users?.items.map((u) => (
            <tr>
              <td>{u.name}</td>
              <td>
                <label class="sr-only" for={`role-${u.id}`}>{t('admin.team.roleOf', { name: u.name })}</label>
                <select id={`role-${u.id}`} value={u.role} onChange={(e) => act(send('PATCH', `/users/${u.id}`, { role: (e.target as HTMLSelectElement).value }))}>
                  {ROLES.map((r) => <option value={r}>{t(`common.role.${r}`)}</option>)}
                </select>
              </td>
              <td>{date(u.created_at)}</td>
              <td>
                <button type="button" class="small" onClick={() => act(send('PATCH', `/users/${u.id}`, { disabled: !u.disabled }))}>
                  {u.disabled ? t('admin.team.enable', { name: u.name }) : t('admin.team.disable', { name: u.name })}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      </div>
      <form class="toolbar" onSubmit={add} aria-label={t('admin.team.addForm')}>
        <label>{t('admin.team.name')} <input required value={form.name} onInput={(e) => setForm({ ...form, name: (e.target as HTMLInputElement).value })} /></label>
        <label>{t('admin.team.password')} <input type="password" autoComplete="new-password" required minLength={8} value={form.password} onInput={(e) => setForm({ ...form, password: (e.target as HTMLInputElement).value })} /></label>
        <label>{t('admin.team.role')}{' '}
          <select value={form.role} onChange={(e) => setForm({ ...form, role: (e.target as HTMLSelectElement).value as S['Role'] })}>
            {ROLES.map((r) => <option value={r}>{t(`common.role.${r}`)}</option>)}
          </select>
        </label>
        <button type="submit" class="primary">{t('admin.team.add')}</button>
      </form>
    </section>
  );
}

/** The latest entries of the audit log (admins). */
function Audit() {
  const t = useT();
  const pages = usePages();
  const [page, setPage] = useState<S['AuditPage'] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const cursor = pages.cursor;
  useEffect(() => {
    get<S['AuditPage']>('/audit', { limit: 20, cursor }).then(setPage, (e) => setError(errorText(e)));
  }, [cursor]);
  return (
    <section aria-labelledby="audit-title">
      <h2 id="audit-title">{t('admin.audit.title')}</h2>
      {error && <p role="alert" class="error">{error}</p>}
      <p><a href="/api/v1/audit?format=csv&limit=1000" download="audit.csv">{t('admin.audit.download')}</a></p>
      <div class="table-wrap">
      <table>
        <thead><tr><th>{t('admin.audit.when')}</th><th>{t('admin.audit.who')}</th><th>{t('admin.audit.what')}</th><th>{t('admin.audit.resource')}</th><th>{t('admin.audit.outcome')}</th><th>{t('admin.audit.from')}</th></tr></thead>
        <tbody>
          {page?.items.map((i) => (
            <tr>
              <td>{date(i.at)}</td><td>{i.actor}</td><td>{i.action}</td><td><code>{i.resource}</code></td>
              <td>{has(OUTCOMES, i.outcome) ? t(`admin.audit.outcomes.${i.outcome}`) : i.outcome}</td><td>{i.address ?? ''}</td>
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
  const t = useT();
  const admin = session.role === 'admin';
  return (
    <>
      <h1>{t('admin.title')}</h1>
      <Jobs />
      {session.admin ? (
        <>
          <Workers />
          <Models />
        </>
      ) : <p class="muted">{t('admin.serverWide')}</p>}
      {admin && <Team />}
      {admin && <Audit />}
      <section>
        <h2>{t('admin.keys.title')}</h2>
        <p>{t('admin.keys.before')} <code>POST /api/v1/keys</code> {t('admin.keys.middle')} <code>aima admin create-key --workspace {session.workspace}</code>.</p>
      </section>
    </>
  );
}
