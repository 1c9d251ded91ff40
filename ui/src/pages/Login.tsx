import { useState } from 'preact/hooks';
import { send } from '../api';
import { LangSwitch } from '../components/LangSwitch';
import { errorText, useT, type Lang } from '../i18n';

/** Shown when the server wants a caller: a user signs in with a name and a
 * password, or anyone with an API key. Either way the server keeps the
 * session and the browser an HttpOnly cookie. */
export function Login({ onDone, onLang }: { onDone: () => void; onLang: (l: Lang) => void }) {
  const t = useT();
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const attempt = (path: string, body: object) => async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      await send('POST', path, body);
      onDone();
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <main class="page login" id="main">
      <div class="top-end"><LangSwitch onLang={onLang} /></div>
      <h1>AIMA</h1>
      <form onSubmit={attempt('/auth/login', { name, password })} class="card">
        <h2 id="user-title">{t('login.signIn')}</h2>
        <label for="name">{t('login.name')}</label>
        <input id="name" autoComplete="username" required value={name}
          onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        <label for="password">{t('login.password')}</label>
        <input id="password" type="password" autoComplete="current-password" required value={password}
          onInput={(e) => setPassword((e.target as HTMLInputElement).value)} />
        <button type="submit" class="primary">{t('login.signIn')}</button>
      </form>
      <form onSubmit={attempt('/auth/session', { api_key: key })} class="card">
        <h2 id="key-title">{t('login.withKey')}</h2>
        <p class="muted">{t('login.keyHelpBefore')} <code>aima admin create-key</code> {t('login.keyHelpAfter')}</p>
        <label for="key">{t('login.apiKey')}</label>
        <input id="key" type="password" autoComplete="off" required value={key}
          onInput={(e) => setKey((e.target as HTMLInputElement).value)} />
        <button type="submit">{t('login.signInWithKey')}</button>
      </form>
      {error && <p role="alert" class="error">{error}</p>}
    </main>
  );
}
