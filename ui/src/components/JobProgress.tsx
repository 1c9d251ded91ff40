import type { Job } from '../api';

/** A job's progress: one bar, its state, the stages and their states. Fixed height: no layout shift. */
export function JobProgress({ job }: { job: Job }) {
  const pct = Math.round(job.progress * 100);
  return (
    <span class="job" data-state={job.state}>
      <progress aria-label="Analysis" max={100} value={pct} />
      <span class={`badge state-${job.state}`} aria-live="polite">{job.state}{job.state === 'running' ? ` ${pct} %` : ''}</span>
      <span class="stages muted">
        {job.stages.map((s) => <span class={`stage state-${s.state}`} title={`${s.name}: ${s.state}`}>{s.name}</span>)}
      </span>
      {job.error && <span role="alert" class="error">{job.error.message}</span>}
    </span>
  );
}
