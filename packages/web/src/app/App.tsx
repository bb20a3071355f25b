import { QueryClient, QueryClientProvider, useQueryClient } from '@tanstack/react-query';
import { Suspense, useEffect, useRef, useState, type ReactNode } from 'react';
import { Link, Route, Router, Switch, useLocation } from 'wouter';
import { api, HttpError, onUnauthorized } from '../api/client.js';
import { useSession } from '../api/hooks.js';
import { keys } from '../api/keys.js';
import { ErrorBox, Loading } from '../components/states.js';
import { LiveProvider } from '../live/LiveProvider.js';
import Login from '../pages/Login.js';
import { ConnectionIndicator } from './ConnectionIndicator.js';
import { preloadPages, routes } from './routes.js';
import { isTypingTarget, shortcutFor, type ShortcutState } from './shortcuts.js';
import { setTheme, useTheme } from './theme.js';

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // The stream keeps cached data current; refetching happens on reconnect and by polling.
        staleTime: 30_000,
        gcTime: 5 * 60_000,
        refetchOnWindowFocus: false,
        retry: (count, error) =>
          !(error instanceof HttpError && error.status >= 400 && error.status < 500) && count < 3,
      },
    },
  });
}

function loginUrl(): string {
  const here = window.location.pathname + window.location.search;
  return here === '/' ? '/login' : `/login?next=${encodeURIComponent(here)}`;
}

/** Shows the app to a logged-in viewer; anyone else goes to the login page. */
function AuthGate({ children }: { children: ReactNode }) {
  const session = useSession();
  const [, navigate] = useLocation();
  const qc = useQueryClient();
  useEffect(
    () =>
      onUnauthorized(() => {
        qc.clear();
        navigate(loginUrl(), { replace: true });
      }),
    [qc, navigate],
  );
  useEffect(() => {
    if (session.error instanceof HttpError && session.error.status === 401) {
      navigate(loginUrl(), { replace: true });
    }
  }, [session.error, navigate]);
  // The pages start loading while the session is checked (one round trip less); a 401 on any
  // request sends the viewer to the login page.
  if (session.error instanceof HttpError && session.error.status === 401) {
    return (
      <main className="center-page">
        <Loading rows={2} label="Checking your session…" />
      </main>
    );
  }
  if (session.error) {
    return (
      <main className="center-page">
        <ErrorBox error={session.error} retry={() => void session.refetch()} />
      </main>
    );
  }
  return <>{children}</>;
}

function useShortcuts(openHelp: () => void) {
  const [, navigate] = useLocation();
  const state = useRef<ShortcutState>({ pendingG: null });
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (isTypingTarget(e.target)) return;
      const r = shortcutFor(
        e.key,
        { ctrl: e.ctrlKey, meta: e.metaKey, alt: e.altKey },
        state.current,
        Date.now(),
      );
      state.current = r.state;
      const a = r.action;
      if (!a) return;
      if (a.kind === 'go') {
        const route = routes.find((x) => x.nav?.key === a.key);
        if (route) {
          e.preventDefault();
          navigate(route.path);
        }
      } else if (a.kind === 'search') {
        const field = document.querySelector<HTMLElement>('[data-search]');
        if (field) {
          e.preventDefault();
          field.focus();
        }
      } else if (a.kind === 'help') {
        e.preventDefault();
        openHelp();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [navigate, openHelp]);
}

function ShortcutHelp({ onClose }: { onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    ref.current?.showModal();
  }, []);
  return (
    <dialog ref={ref} className="dialog" onClose={onClose} aria-labelledby="shortcuts-title">
      <h2 id="shortcuts-title">Keyboard shortcuts</h2>
      <table className="table compact">
        <tbody>
          {routes
            .filter((r) => r.nav?.key)
            .map((r) => (
              <tr key={r.path}>
                <td>
                  <kbd>g</kbd> <kbd>{r.nav!.key}</kbd>
                </td>
                <td>{r.nav!.label}</td>
              </tr>
            ))}
          <tr>
            <td>
              <kbd>/</kbd>
            </td>
            <td>Search or filter on this page</td>
          </tr>
          <tr>
            <td>
              <kbd>?</kbd>
            </td>
            <td>This list</td>
          </tr>
        </tbody>
      </table>
      <form method="dialog">
        <button className="btn" type="submit" autoFocus>
          Close
        </button>
      </form>
    </dialog>
  );
}

function Nav() {
  const [location] = useLocation();
  const active = (path: string) =>
    path === '/' ? location === '/' : location === path || location.startsWith(path + '/');
  return (
    <nav className="nav" aria-label="Pages">
      <ul>
        {routes
          .filter((r) => r.nav)
          .map((r) => (
            <li key={r.path}>
              <Link
                href={r.path}
                className={`nav-link ${active(r.path) ? 'active' : ''} ${r.nav!.soon ? 'soon' : ''}`}
                aria-current={active(r.path) ? 'page' : undefined}
              >
                {r.nav!.label}
                {r.nav!.soon ? <span className="soon-tag">soon</span> : null}
              </Link>
            </li>
          ))}
      </ul>
    </nav>
  );
}

function UserMenu() {
  const session = useSession();
  const qc = useQueryClient();
  const [, navigate] = useLocation();
  const theme = useTheme();
  const logout = async () => {
    try {
      await api('/api/v1/session', { method: 'DELETE' });
    } finally {
      qc.clear();
      navigate('/login', { replace: true });
    }
  };
  return (
    <div className="user">
      <button
        type="button"
        className="btn btn-ghost btn-small"
        onClick={() => setTheme(theme === 'dark' ? 'light' : 'dark')}
        aria-label={`Switch to the ${theme === 'dark' ? 'light' : 'dark'} theme`}
        title="Theme"
      >
        {theme === 'dark' ? '☀' : '☾'}
      </button>
      <span className="user-name" title={`Logged in as ${session.data?.name ?? ''}`}>
        {session.data?.name}
      </span>
      <button type="button" className="btn btn-ghost btn-small" onClick={() => void logout()}>
        Log out
      </button>
    </div>
  );
}

function Title() {
  const [location] = useLocation();
  useEffect(() => {
    const route =
      routes.find((r) => r.path === location) ??
      routes.find((r) => location.startsWith(r.path + '/'));
    document.title = route ? `${route.title} · Tradewatch` : 'Tradewatch';
  }, [location]);
  return null;
}

function Shell() {
  const [help, setHelp] = useState(false);
  useShortcuts(() => setHelp(true));
  // The other pages' code is fetched after the first page settles, so opening them is instant.
  useEffect(() => {
    const t = window.setTimeout(() => {
      if ('requestIdleCallback' in window) window.requestIdleCallback(() => preloadPages());
      else preloadPages();
    }, 1000);
    return () => window.clearTimeout(t);
  }, []);
  return (
    <div className="shell">
      <a href="#main" className="skip">
        Skip to content
      </a>
      <header className="topbar">
        <Link href="/" className="brand" aria-label="Tradewatch overview">
          <svg viewBox="0 0 32 32" width="22" height="22" aria-hidden="true">
            <path
              d="M5 22l7-8 5 5 10-11"
              fill="none"
              stroke="currentColor"
              strokeWidth="3"
              strokeLinecap="round"
              strokeLinejoin="round"
            />
          </svg>
          <span>Tradewatch</span>
        </Link>
        <ConnectionIndicator />
        <UserMenu />
      </header>
      <Nav />
      <main id="main" className="main" tabIndex={-1}>
        <Title />
        <Suspense fallback={<Loading rows={4} />}>
          <Switch>
            {routes.map((r) => (
              <Route key={r.path} path={r.path} component={r.component} />
            ))}
            <Route>
              <div className="page">
                <h1>Not found</h1>
                <p>
                  There is no page here. <Link href="/">Go to the overview</Link>.
                </p>
              </div>
            </Route>
          </Switch>
        </Suspense>
      </main>
      {help ? <ShortcutHelp onClose={() => setHelp(false)} /> : null}
    </div>
  );
}

export function App({ client }: { client: QueryClient }) {
  return (
    <QueryClientProvider client={client}>
      <Router>
        <Switch>
          <Route path="/login" component={Login} />
          <Route>
            <AuthGate>
              <LiveProvider>
                <Shell />
              </LiveProvider>
            </AuthGate>
          </Route>
        </Switch>
      </Router>
    </QueryClientProvider>
  );
}

export { keys };
