import { useEffect, useState } from 'preact/hooks';
import { get, send, type S } from '../api';
import { errorText, useT } from '../i18n';

type Analyzer = S['AnalyzerInfo'];
type Pull = { state: 'running' | 'failed'; error?: string };

/** Which analyzers of the default analysis cannot run on this server for a
 * missing model, said before an upload (and on a media page of a kind they
 * accept): their stages would fail alone while the rest of the job goes on.
 * Admins pull the models from here and see each pull's outcome; others are
 * told to ask one. Renders nothing while every default analyzer can run. */
export function MissingModels({ admin, kind }: { admin: boolean; kind?: S['MediaKind'] }) {
  const t = useT();
  const [analyzers, setAnalyzers] = useState<Analyzer[]>([]);
  const [pulls, setPulls] = useState<Record<string, Pull>>({});
  const [tick, setTick] = useState(0);

  useEffect(() => {
    get<S['AnalyzerList']>('/analyzers').then((l) => setAnalyzers(l.items), () => undefined);
  }, [tick]);

  // Pulls started before this page (another tab, a reload): a running one
  // is followed, a failed one says why.
  useEffect(() => {
    if (!admin) return;
    get<S['ModelInfoList']>('/models').then((l) => {
      const known: Record<string, Pull> = {};
      for (const m of l.items) {
        if (m.state === 'installed' || !m.pull) continue;
        if (m.pull.state === 'running') known[m.name] = { state: 'running' };
        else if (m.pull.state === 'failed') known[m.name] = { state: 'failed', error: m.pull.error ?? undefined };
      }
      setPulls((p) => ({ ...known, ...p }));
    }, () => undefined);
  }, [admin]);

  // While a pull started here runs, its state is read from the models list.
  const running = Object.entries(pulls).filter(([, p]) => p.state === 'running').map(([name]) => name);
  useEffect(() => {
    if (!running.length) return;
    const timer = setTimeout(() => {
      get<S['ModelInfoList']>('/models').then((l) => {
        const next = { ...pulls };
        for (const name of running) {
          const m = l.items.find((i) => i.name === name);
          if (!m || m.pull?.state === 'running') continue;
          if (m.pull?.state === 'failed') next[name] = { state: 'failed', error: m.pull.error ?? undefined };
          else delete next[name];
        }
        setPulls(next);
        setTick((x) => x + 1);
      }, (e) => setPulls(Object.fromEntries(running.map((n) => [n, { state: 'failed', error: errorText(e) }]))));
    }, 1000);
    return () => clearTimeout(timer);
  }, [running.join(','), tick]);

  const blocked = analyzers.filter((a) => a.default && a.missing_models.length && (!kind || a.accepts.includes(kind)));
  if (!blocked.length) return null;
  const pull = (name: string) => {
    setPulls((p) => ({ ...p, [name]: { state: 'running' } }));
    send('POST', `/models/${encodeURIComponent(name)}/pull`).catch((e) =>
      setPulls((p) => ({ ...p, [name]: { state: 'failed', error: errorText(e) } })));
  };

  return (
    <div class="card missing-models" role="status" aria-labelledby="missing-models-title">
      <p id="missing-models-title"><strong>{t('common.missing.title')}</strong> {t('common.missing.explain')}</p>
      <ul>
        {blocked.map((a) => (
          <li data-analyzer={a.name}>
            <span translate={false}>{a.name}</span>: {t('common.missing.notInstalled')}{' '}
            {a.missing_models.map((m) => (
              <span class="model" data-model={m}>
                <code>{m}</code>
                {admin && (pulls[m]?.state === 'running' ? <progress aria-label={t('common.missing.pulling', { name: m })} /> : (
                  <button type="button" class="small" onClick={() => pull(m)} aria-label={t('common.missing.pullNamed', { name: m })}>{t('common.missing.pull')}</button>
                ))}
                {pulls[m]?.state === 'failed' && <span role="alert" class="error">{t('common.missing.failed', { error: pulls[m].error ?? '' })}</span>}
              </span>
            ))}
          </li>
        ))}
      </ul>
      {admin
        ? <p class="muted">{t('common.missing.shell')} <code>aima models pull --default</code></p>
        : <p class="muted">{t('common.missing.askAdmin')}</p>}
    </div>
  );
}
