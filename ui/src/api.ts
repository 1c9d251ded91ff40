// The UI's only way to the server: the public API under /api/v1, typed by
// the client types generated from docs/openapi.json (clients/typescript).
import type { components } from '../../clients/typescript/aima';

export type S = components['schemas'];
export type Media = S['Media'];
export type Job = S['Job'];
export type Insight = S['StoredInsight'];
export type Person = S['Person'];
export type Session = S['SessionInfo'];

/** An answer in the API's one error shape, `{"error": {"code", "message"}}`. */
export class ApiError extends Error {
  constructor(public status: number, public code: string, message: string) {
    super(message);
  }
}

// Cookie-authenticated writes must carry this header: a page of another
// site cannot send it without the server's consent (CORS), so it cannot
// write with the visitor's session (CSRF).
const CSRF = { 'X-AIMA-CSRF': '1' };

async function fail(res: Response): Promise<never> {
  let code = 'http_' + res.status;
  let message = res.statusText || 'request failed'; // i18n-ignore: the UI shows errors by their code (errorText)
  try {
    const body = (await res.json()) as S['ErrorBody'];
    code = body.error.code;
    message = body.error.message;
  } catch {
    // not the error shape: keep the status
  }
  throw new ApiError(res.status, code, message);
}

type Query = Record<string, string | number | boolean | null | undefined>;

export function url(path: string, query?: Query): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  }
  const qs = params.toString();
  return `/api/v1${path}${qs ? '?' + qs : ''}`;
}

export async function get<T>(path: string, query?: Query): Promise<T> {
  const res = await fetch(url(path, query), { headers: CSRF, credentials: 'same-origin' });
  if (!res.ok) return fail(res);
  return (await res.json()) as T;
}

export async function send<T>(method: string, path: string, body?: unknown, query?: Query): Promise<T> {
  const res = await fetch(url(path, query), {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? CSRF : { ...CSRF, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) return fail(res);
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Upload one file with progress (fetch has no upload progress; XHR does). */
export function upload(
  file: File,
  onProgress: (fraction: number) => void,
): Promise<S['UploadResponse']> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url('/media', { filename: file.name }));
    xhr.setRequestHeader('Content-Type', 'application/octet-stream'); // i18n-ignore: a header
    xhr.setRequestHeader('X-AIMA-CSRF', '1');
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onerror = () => reject(new ApiError(0, 'network', 'the upload was interrupted')); // i18n-ignore: shown by its code
    xhr.onload = () => {
      let body: unknown;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = undefined;
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body as S['UploadResponse']);
      else {
        const e = (body as S['ErrorBody'] | undefined)?.error;
        reject(new ApiError(xhr.status, e?.code ?? 'http_' + xhr.status, e?.message ?? xhr.statusText));
      }
    };
    xhr.send(file);
  });
}

/** Whether a job has ended (`partial`: some stages failed alone, the others' insights are kept). */
export const ended = (job: Job) => ['succeeded', 'partial', 'failed', 'cancelled'].includes(job.state);

/** Follows a job over SSE until it ends; returns a function that stops following. */
export function followJob(id: string, onJob: (job: Job) => void): () => void {
  const source = new EventSource(url(`/jobs/${encodeURIComponent(id)}/events`));
  source.addEventListener('job', (e) => {
    const job = JSON.parse((e as MessageEvent).data) as Job;
    onJob(job);
    if (ended(job)) source.close();
  });
  source.addEventListener('gone', () => source.close());
  source.onerror = () => {
    // The stream ends with the job; a broken one is re-read once.
    source.close();
    get<Job>(`/jobs/${encodeURIComponent(id)}`).then(onJob, () => undefined);
  };
  return () => source.close();
}

export const contentUrl = (id: string) => url(`/media/${encodeURIComponent(id)}/content`);
export const thumbnailUrl = (id: string) => url(`/media/${encodeURIComponent(id)}/thumbnail`);
export const artifactUrl = (mediaId: string, artifact: string) =>
  `/api/v1/media/${encodeURIComponent(mediaId)}/artifacts/${artifact.split('/').map(encodeURIComponent).join('/')}`;
