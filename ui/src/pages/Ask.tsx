import { useRef, useState } from 'preact/hooks';
import { send, type S } from '../api';
import { clock, isoDay, languageName } from '../format';
import { errorText, lang, t, useT } from '../i18n';

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
  if (s.kind === 'media') return t('ask.at', { name: s.filename ?? s.media_id, time: clock(s.start) });
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
  const t = useT();
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
    setTurns((all) => [...all, { question: q }]);
    try {
      const answer = await send<S['Answer']>('POST', '/ask', { question: q, utc_offset_minutes: -new Date().getTimezoneOffset() });
      setTurns((all) => all.map((x, j) => (j === i ? { ...x, answer } : x)));
    } catch (err) {
      setTurns((all) => all.map((x, j) => (j === i ? { ...x, error: errorText(err) } : x)));
    } finally {
      setBusy(false);
      input.current?.focus();
    }
  };
  return (
    <>
      <h1>{t('ask.title')}</h1>
      <p class="muted">{t('ask.intro')}</p>
      <ol class="chat" aria-live="polite">
        {turns.map((turn) => (
          <li class="turn">
            <p class="question"><strong>{t('ask.you')}</strong> {turn.question}</p>
            {turn.error && <p role="alert" class="error">{turn.error}</p>}
            {!turn.answer && !turn.error && <p class="muted">{t('ask.thinking')}</p>}
            {turn.answer && (
              <div class={'answer' + (turn.answer.refused ? ' refused' : '')} lang={turn.answer.language}>
                <AnswerText answer={turn.answer} />
                {turn.answer.citations.length > 0 && (
                  <ol class="citations" aria-label={t('ask.citations')}>
                    {turn.answer.citations.map((c) => (
                      <li value={c.id}><a href={href(c)}>{citationLabel(c)}</a></li>
                    ))}
                  </ol>
                )}
                <p class="muted small" lang={lang()}>{t('ask.answeredBy', { planner: turn.answer.planner, model: turn.answer.model, language: languageName(turn.answer.language) })}</p>
              </div>
            )}
          </li>
        ))}
      </ol>
      <form class="ask-form" onSubmit={ask}>
        <label for="question">{t('ask.question')}</label>
        <textarea id="question" ref={input} rows={2} maxLength={2000} value={question}
          placeholder={t('ask.placeholder')}
          onInput={(e) => setQuestion((e.target as HTMLTextAreaElement).value)}
          onKeyDown={(e) => { if (e.key === 'Enter' && !e.shiftKey) ask(e); }} />
        <button type="submit" class="primary" disabled={busy || !question.trim()}>{t('ask.submit')}</button>
      </form>
    </>
  );
}
