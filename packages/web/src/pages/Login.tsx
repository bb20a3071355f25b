import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useLocation, useSearch } from 'wouter';
import { api, HttpError } from '../api/client.js';
import { keys } from '../api/keys.js';
import type { SessionInfo } from '../api/types.js';
import { safeNext, tokenFromHash } from '../state/login.js';

export default function Login() {
  const [, navigate] = useLocation();
  const search = useSearch();
  const qc = useQueryClient();
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const tried = useRef(false);

  const login = async (value: string) => {
    setBusy(true);
    setError(null);
    try {
      const session = await api<SessionInfo>('/api/v1/session', {
        method: 'POST',
        body: { token: value.trim() },
        quiet401: true,
      });
      qc.clear();
      qc.setQueryData(keys.session, session);
      navigate(safeNext(search), { replace: true });
    } catch (e) {
      setError(
        e instanceof HttpError && e.status === 401
          ? 'That token is not valid (unknown or revoked).'
          : e instanceof Error
            ? e.message
            : 'Could not log in.',
      );
    } finally {
      setBusy(false);
    }
  };

  useEffect(() => {
    if (tried.current) return;
    tried.current = true;
    const fromHash = tokenFromHash(window.location.hash);
    if (fromHash) {
      // Drop the token from the address bar and the history before anything else.
      window.history.replaceState(null, '', window.location.pathname + window.location.search);
      void login(fromHash);
    }
  }, []);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (token.trim()) void login(token);
  };

  return (
    <main className="center-page">
      <form className="panel login" onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title" className="brand-title">
          Tradewatch
        </h1>
        <p className="muted">
          Log in with a token: the admin token printed at first start, or a read-only one.
        </p>
        <label htmlFor="token">Access token</label>
        <input
          id="token"
          name="token"
          type="password"
          autoComplete="off"
          spellCheck={false}
          autoFocus
          value={token}
          onChange={(e) => setToken(e.target.value)}
          placeholder="tw_…"
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'login-error' : 'login-help'}
        />
        {error ? (
          <p id="login-error" className="form-error" role="alert">
            {error}
          </p>
        ) : null}
        <button className="btn btn-primary" type="submit" disabled={busy || !token.trim()}>
          {busy ? 'Logging in…' : 'Log in'}
        </button>
        <p id="login-help" className="muted small">
          Make a read-only token for a phone or a wall screen with{' '}
          <code>tradewatch token create --name phone --scope read</code>. The dashboard keeps you
          logged in with a cookie for a week; the token itself is not stored in the browser.
        </p>
      </form>
    </main>
  );
}
