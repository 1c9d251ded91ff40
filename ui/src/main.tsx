import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { LocationProvider, Router, Route, useLocation } from 'preact-iso';
import { ApiError, get, send, type Session } from './api';
import { errorText, lang, LangContext, setLang, useT, type Lang } from './i18n';
import { LangSwitch } from './components/LangSwitch';
import { SessionContext } from './session';
import { Library } from './pages/Library';
import { MediaPage } from './pages/Media';
import { SearchPage } from './pages/Search';
import { Persons, PersonPage } from './pages/Persons';
import { Activity } from './pages/Activity';
import { Ask } from './pages/Ask';
import { Admin } from './pages/Admin';
import { Login } from './pages/Login';
import './style.css';

const NAV = [
  ['/', 'media'],
  ['/search', 'search'],
  ['/persons', 'persons'],
  ['/activity', 'activity'],
  ['/ask', 'ask'],
  ['/admin', 'admin'],
] as const;

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

function Nav({ session, onLogout, onLang }: { session: Session; onLogout: () => void; onLang: (l: Lang) => void }) {
  const t = useT();
  const { path } = useLocation();
  const [theme, setTheme] = useTheme();
  const current = (href: string) => (href === '/' ? path === '/' || path.startsWith('/media') : path.startsWith(href));
  return (
    <header class="top">
      <a class="brand" href="/">AIMA</a>
      <nav aria-label={t('common.nav.label')}>
        {NAV.map(([href, key]) => (
          <a href={href} aria-current={current(href) ? 'page' : undefined}>{t(`common.nav.${key}`)}</a>
        ))}
      </nav>
      <div class="top-end">
        <span class="muted" title={t('common.whoTitle')}><span translate={false}>{session.user ? `${session.user.name} · ` : ''}{session.workspace}</span> · {t(`common.role.${session.role}`)}</span>
        <LangSwitch onLang={onLang} />
        <label class="sr-only" for="theme">{t('common.theme.label')}</label>
        <select id="theme" value={theme} onChange={(e) => setTheme((e.target as HTMLSelectElement).value as Theme)}>
          <option value="system">{t('common.theme.system')}</option>
          <option value="light">{t('common.theme.light')}</option>
          <option value="dark">{t('common.theme.dark')}</option>
        </select>
        {session.via !== 'anonymous' && <button type="button" onClick={onLogout}>{t('common.logout')}</button>}
      </div>
    </header>
  );
}

function NotFound() {
  const t = useT();
  return (
    <section>
      <h1>{t('common.notFound.title')}</h1>
      <p>{t('common.notFound.text')} <a href="/">{t('common.notFound.back')}</a></p>
    </section>
  );
}

/** The UI in the language chosen: `<html lang>` follows, and every `useT()` re-renders. */
function Root() {
  const [current, setCurrent] = useState<Lang>(lang());
  useEffect(() => {
    document.documentElement.lang = current;
  }, [current]);
  const change = (l: Lang) => setLang(l).then(() => setCurrent(l));
  return (
    <LangContext.Provider value={current}>
      <App onLang={change} />
    </LangContext.Provider>
  );
}

function App({ onLang }: { onLang: (l: Lang) => void }) {
  const t = useT();
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const load = () =>
    get<Session>('/auth/session').then(setSession, (e: ApiError) => {
      if (e.status === 401) setSession(null);
      else setError(errorText(e));
    });
  useEffect(() => {
    load();
  }, []);
  if (error) return <main class="page"><p role="alert" class="error">{error}</p></main>;
  if (session === undefined) return <main class="page"><p>{t('common.loading')}</p></main>;
  if (session === null) return <Login onDone={load} onLang={onLang} />;
  const logout = () => send('POST', '/auth/logout').finally(() => setSession(null));
  // Controls that write are marked `write` and hidden from viewers (the
  // server refuses their writes anyway).
  document.body.dataset.role = session.role;
  return (
    <SessionContext.Provider value={session}>
    <LocationProvider>
      <a class="skip" href="#main">{t('common.skip')}</a>
      <Nav session={session} onLogout={logout} onLang={onLang} />
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
    </SessionContext.Provider>
  );
}

render(<Root />, document.getElementById('app')!);
