import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { LocationProvider, Router, Route, useLocation } from 'preact-iso';
import { ApiError, get, send, type Session } from './api';
import { Library } from './pages/Library';
import { MediaPage } from './pages/Media';
import { SearchPage } from './pages/Search';
import { Persons, PersonPage } from './pages/Persons';
import { Activity } from './pages/Activity';
import { Ask } from './pages/Ask';
import { Admin } from './pages/Admin';
import { Login } from './pages/Login';
import './style.css';

const NAV: [string, string][] = [
  ['/', 'Media'],
  ['/search', 'Search'],
  ['/persons', 'Persons'],
  ['/activity', 'Activity'],
  ['/ask', 'Ask'],
  ['/admin', 'Admin'],
];

type Theme = 'light' | 'dark' | 'system';

function useTheme(): [Theme, (t: Theme) => void] {
  const [theme, setTheme] = useState<Theme>((localStorage.getItem('aima.theme') as Theme) || 'system');
  useEffect(() => {
    localStorage.setItem('aima.theme', theme);
    if (theme === 'system') delete document.documentElement.dataset.theme;
    else document.documentElement.dataset.theme = theme;
  }, [theme]);
  return [theme, setTheme];
}

function Nav({ session, onLogout }: { session: Session; onLogout: () => void }) {
  const { path } = useLocation();
  const [theme, setTheme] = useTheme();
  const current = (href: string) => (href === '/' ? path === '/' || path.startsWith('/media') : path.startsWith(href));
  return (
    <header class="top">
      <a class="brand" href="/">AIMA</a>
      <nav aria-label="Main">
        {NAV.map(([href, label]) => (
          <a href={href} aria-current={current(href) ? 'page' : undefined}>{label}</a>
        ))}
      </nav>
      <div class="top-end">
        <span class="muted" title="Workspace and role">{session.user ? `${session.user.name} · ` : ''}{session.workspace} · {session.role}</span>
        <label class="sr-only" for="theme">Theme</label>
        <select id="theme" value={theme} onChange={(e) => setTheme((e.target as HTMLSelectElement).value as Theme)}>
          <option value="system">System theme</option>
          <option value="light">Light</option>
          <option value="dark">Dark</option>
        </select>
        {session.via !== 'anonymous' && <button type="button" onClick={onLogout}>Log out</button>}
      </div>
    </header>
  );
}

function NotFound() {
  return (
    <section>
      <h1>Not found</h1>
      <p>No page here. <a href="/">Back to the media</a>.</p>
    </section>
  );
}

function App() {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const load = () =>
    get<Session>('/auth/session').then(setSession, (e: ApiError) => {
      if (e.status === 401) setSession(null);
      else setError(e.message);
    });
  useEffect(() => {
    load();
  }, []);
  if (error) return <main class="page"><p role="alert" class="error">{error}</p></main>;
  if (session === undefined) return <main class="page"><p>Loading…</p></main>;
  if (session === null) return <Login onDone={load} />;
  const logout = () => send('POST', '/auth/logout').finally(() => setSession(null));
  // Controls that write are marked `write` and hidden from viewers (the
  // server refuses their writes anyway).
  document.body.dataset.role = session.role;
  return (
    <LocationProvider>
      <a class="skip" href="#main">Skip to content</a>
      <Nav session={session} onLogout={logout} />
      <main id="main" class="page" tabIndex={-1}>
        <Router>
          <Route path="/" component={Library} />
          <Route path="/media/:id" component={MediaPage} />
          <Route path="/search" component={SearchPage} />
          <Route path="/persons" component={Persons} />
          <Route path="/persons/:id" component={PersonPage} />
          <Route path="/activity" component={Activity} />
          <Route path="/ask" component={Ask} />
          <Route path="/admin" component={() => <Admin session={session} />} />
          <Route default component={NotFound} />
        </Router>
      </main>
    </LocationProvider>
  );
}

render(<App />, document.getElementById('app')!);
