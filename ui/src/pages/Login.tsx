import { useState } from 'preact/hooks';
import { ApiError, send } from '../api';

/** Shown when the server wants a key: the key becomes an HttpOnly session cookie. */
export function Login({ onDone }: { onDone: () => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      await send('POST', '/auth/session', { api_key: key });
      onDone();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    }
  };
  return (
    <main class="page login" id="main">
      <h1>AIMA</h1>
      <form onSubmit={submit} class="card">
        <p>This server needs an API key (make one with <code>aima admin create-key</code>).</p>
        <label for="key">API key</label>
        <input id="key" type="password" autoComplete="current-password" required value={key}
          onInput={(e) => setKey((e.target as HTMLInputElement).value)} />
        {error && <p role="alert" class="error">{error}</p>}
        <button type="submit" class="primary">Sign in</button>
      </form>
    </main>
  );
}
