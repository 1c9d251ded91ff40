import { useRef, useState } from 'preact/hooks';
import { ApiError, send, type S } from '../api';
import { clock, isoDay } from '../format';

type Turn = { question: string; answer?: S['Answer']; error?: string };

/** Where a citation leads: the media at its second, or the activity view of its day. */
function href(c: S['Citation']): string {
  const s = c.source;
  if (s.kind === 'media') return `/media/${s.media_id}?t=${s.start}`;
  const when = s.kind === 'event' ? s.timestamp : s.start;
  return `/activity?day=${isoDay(new Date(when))}`;
}

function citationLabel(c: S['Citation']): string {
  const s = c.source;
  if (s.kind === 'media') return `${s.filename ?? s.media_id} at ${clock(s.start)}`;
  return c.text;
}

/** The answer with each [n] as a link to its citation. */
function AnswerText({ answer }: { answer: S['Answer'] }) {
  const byId = new Map(answer.citations.map((c) => [c.id, c]));
  const parts = answer.answer.split(/(\[\d+\])/);
  return (
    <p class="answer-text">
      {parts.map((p) => {
        const m = /^\[(\d+)\]$/.exec(p);
        const c = m ? byId.get(Number(m[1])) : undefined;
        return c ? <a class="cite" href={href(c)} title={c.text}>{p}</a> : p;
      })}
    </p>
  );
}

export function Ask() {
  const [turns, setTurns] = useState<Turn[]>([]);
  const [question, setQuestion] = useState('');
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLTextAreaElement>(null);
  const ask = async (e: Event) => {
    e.preventDefault();
    const q = question.trim();
    if (!q || busy) return;
    setBusy(true);
    setQuestion('');
    const i = turns.length;
    setTurns((t) => [...t, { question: q }]);
    try {
      const answer = await send<S['Answer']>('POST', '/ask', { question: q, utc_offset_minutes: -new Date().getTimezoneOffset() });
      setTurns((t) => t.map((x, j) => (j === i ? { ...x, answer } : x)));
    } catch (err) {
      const a = err as ApiError;
      setTurns((t) => t.map((x, j) => (j === i ? { ...x, error: `${a.message} (${a.code})` } : x)));
    } finally {
      setBusy(false);
      input.current?.focus();
    }
  };
  return (
    <>
      <h1>Ask</h1>
      <p class="muted">Questions in English or German about your activity and media, answered from your own data with citations.</p>
      <ol class="chat" aria-live="polite">
        {turns.map((t) => (
          <li class="turn">
            <p class="question"><strong>You:</strong> {t.question}</p>
            {t.error && <p role="alert" class="error">{t.error}</p>}
            {!t.answer && !t.error && <p class="muted">Thinking…</p>}
            {t.answer && (
              <div class={'answer' + (t.answer.refused ? ' refused' : '')}>
                <AnswerText answer={t.answer} />
                {t.answer.citations.length > 0 && (
                  <ol class="citations" aria-label="Citations">
                    {t.answer.citations.map((c) => (
                      <li value={c.id}><a href={href(c)}>{citationLabel(c)}</a></li>
                    ))}
                  </ol>
                )}
                <p class="muted small">{t.answer.planner} · {t.answer.model} · {t.answer.language}</p>
              </div>
            )}
          </li>
        ))}
      </ol>
      <form class="ask-form" onSubmit={ask}>
        <label for="question">Question</label>
        <textarea id="question" ref={input} rows={2} maxLength={2000} value={question}
          placeholder="How much time did I spend in meetings last week?"
          onInput={(e) => setQuestion((e.target as HTMLTextAreaElement).value)}
          onKeyDown={(e) => { if (e.key === 'Enter' && !e.shiftKey) ask(e); }} />
        <button type="submit" class="primary" disabled={busy || !question.trim()}>Ask</button>
      </form>
    </>
  );
}
