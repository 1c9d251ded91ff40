import type { Job } from '../api';
import { errorText, useT } from '../i18n';
import { percent } from '../format';

/** A job's progress: one bar, its state, the stages and their states. Fixed height: no layout shift. */
export function JobProgress({ job }: { job: Job }) {
  const t = useT();
  const pct = Math.round(job.progress * 100);
  return (
    <span class="job" data-state={job.state}>
      <progress aria-label={t('common.job.progress')} max={100} value={pct} />
      <span class={`badge state-${job.state}`} aria-live="polite">
        {job.state === 'running' ? t('common.job.running', { percent: percent(job.progress) }) : t(`common.state.${job.state}`)}
      </span>
      <span class="stages muted" translate={false}>
        {job.stages.map((s) => <span class={`stage state-${s.state}`} title={t('common.job.stage', { name: s.name, state: t(`common.state.${s.state}`) })}>{s.name}</span>)}
      </span>
      {job.error && <span role="alert" class="error">{errorText(job.error)}</span>}
    </span>
  );
}
