import { useState } from 'preact/hooks';
import { ApiError, send } from '../api';

/** Shown when the server wants a caller: a user signs in with a name and a
 * password, or anyone with an API key. Either way the server keeps the
 * session and the browser an HttpOnly cookie. */
export function Login({ onDone }: { onDone: () => void }) {
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
      setError(err instanceof ApiError ? err.message : String(err));
    }
  };
  return (
    <main class="page login" id="main">
      <h1>AIMA</h1>
      <form onSubmit={attempt('/auth/login', { name, password })} class="card">
        <h2 id="user-title">Sign in</h2>
        <label for="name">Name</label>
        <input id="name" autoComplete="username" required value={name}
          onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        <label for="password">Password</label>
        <input id="password" type="password" autoComplete="current-password" required value={password}
          onInput={(e) => setPassword((e.target as HTMLInputElement).value)} />
        <button type="submit" class="primary">Sign in</button>
      </form>
      <form onSubmit={attempt('/auth/session', { api_key: key })} class="card">
        <h2 id="key-title">Or with an API key</h2>
        <p class="muted">Made with <code>aima admin create-key</code> or by a user of this server.</p>
        <label for="key">API key</label>
        <input id="key" type="password" autoComplete="off" required value={key}
          onInput={(e) => setKey((e.target as HTMLInputElement).value)} />
        <button type="submit">Sign in with key</button>
      </form>
      {error && <p role="alert" class="error">{error}</p>}
    </main>
  );
}
