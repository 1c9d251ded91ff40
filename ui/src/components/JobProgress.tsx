import type { Job } from '../api';
import { errorText, useT } from '../i18n';
import { percent } from '../format';

/** A job's progress: one bar, its state, the stages and their states, and
 * for a job that ended with failed stages, each one's reason and (where
 * `onRetry` is given) a button to run them again. Fixed height while it
 * runs: no layout shift. */
export function JobProgress({ job, onRetry }: { job: Job; onRetry?: () => void }) {
  const t = useT();
  const pct = Math.round(job.progress * 100);
  const failed = job.stages.filter((s) => s.state === 'failed' && s.error);
  return (
    <span class="job" data-state={job.state}>
      <progress aria-label={t('common.job.progress')} max={100} value={pct} />
      <span class={`badge state-${job.state}`} aria-live="polite">
        {job.state === 'running' ? t('common.job.running', { percent: percent(job.progress) }) : t(`common.state.${job.state}`)}
      </span>
      <span class="stages muted" translate={false}>
        {job.stages.map((s) => (
          <span class={`stage state-${s.state}`} data-stage={s.name}
            title={s.error ? `${s.name}: ${s.error.message}` : t('common.job.stage', { name: s.name, state: t(`common.state.${s.state}`) })}>{s.name}</span>
        ))}
      </span>
      {failed.length > 0 ? (
        <span role="alert" class="error failed-stages">
          {failed.map((s) => <span data-stage={s.name} title={s.error?.message}>{t('common.job.failedStage', { name: s.name, error: errorText(s.error) })}</span>)}
        </span>
      ) : job.error && <span role="alert" class="error">{errorText(job.error)}</span>}
      {onRetry && (job.state === 'partial' || job.state === 'failed') && (
        <button type="button" class="small write" onClick={onRetry}>{t('common.job.retry')}</button>
      )}
    </span>
  );
}
