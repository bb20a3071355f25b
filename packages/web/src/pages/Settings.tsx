import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { TokenRow } from '@tradewatch/protocol';
import { useState, type FormEvent } from 'react';
import { api } from '../api/client.js';
import { hasScope, useConfig, useSession, useTokens, useVersion } from '../api/hooks.js';
import { keys } from '../api/keys.js';
import type { CreatedToken, TokenScope } from '../api/types.js';
import { setTheme, useTheme } from '../app/theme.js';
import { Time } from '../components/format.js';
import { Empty, ErrorBox, QueryView, Section, TableWrap } from '../components/states.js';

const SCOPES: { scope: TokenScope; what: string }[] = [
  { scope: 'read', what: 'view everything (dashboard, Grafana, read API)' },
  { scope: 'ingest', what: 'report events (bots)' },
  { scope: 'journal', what: 'edit journal notes and tags' },
  { scope: 'admin', what: 'everything, including tokens' },
];

function NewToken({ onCreated }: { onCreated: (t: CreatedToken) => void }) {
  const qc = useQueryClient();
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<TokenScope[]>(['read']);
  const [bot, setBot] = useState('');
  const create = useMutation({
    mutationFn: () =>
      api<CreatedToken>('/api/v1/tokens', {
        method: 'POST',
        body: { name: name.trim(), scopes, ...(bot.trim() ? { bot: bot.trim() } : {}) },
      }),
    onSuccess: (t) => {
      onCreated(t);
      setName('');
      setBot('');
      void qc.invalidateQueries({ queryKey: keys.tokens });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <form className="token-form" onSubmit={submit} aria-label="Create a token">
      <label className="inline-field">
        <span>Name</span>
        <input
          value={name}
          onChange={(e) => setName(e.target.value)}
          required
          maxLength={64}
          placeholder="phone, grafana, my-bot"
          name="token-name"
        />
      </label>
      <fieldset className="scopes">
        <legend>Scopes</legend>
        {SCOPES.map((s) => (
          <label key={s.scope} className="check">
            <input
              type="checkbox"
              checked={scopes.includes(s.scope)}
              onChange={(e) =>
                setScopes(
                  e.target.checked ? [...scopes, s.scope] : scopes.filter((x) => x !== s.scope),
                )
              }
            />
            <span>
              <strong>{s.scope}</strong> <span className="muted small">{s.what}</span>
            </span>
          </label>
        ))}
      </fieldset>
      <label className="inline-field">
        <span>Only for bot (optional)</span>
        <input
          value={bot}
          onChange={(e) => setBot(e.target.value)}
          maxLength={64}
          placeholder="bot id"
        />
      </label>
      <button
        type="submit"
        className="btn btn-primary"
        disabled={!name.trim() || scopes.length === 0 || create.isPending}
      >
        Create token
      </button>
      {create.error ? <ErrorBox error={create.error} /> : null}
    </form>
  );
}

function Tokens({ selfTokenId }: { selfTokenId: string | undefined }) {
  const qc = useQueryClient();
  const tokens = useTokens(true);
  const [created, setCreated] = useState<CreatedToken | null>(null);
  const [copied, setCopied] = useState(false);
  const revoke = useMutation({
    mutationFn: (t: TokenRow) =>
      api<void>(`/api/v1/tokens/${encodeURIComponent(t.id)}`, { method: 'DELETE', body: {} }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: keys.tokens }),
  });
  return (
    <Section title="Tokens" id="tokens">
      {created ? (
        <div className="token-once" role="alert">
          <p>
            <strong>Token “{created.name}” created.</strong> Copy it now: it is shown this once and
            never again.
          </p>
          <pre className="code">
            <code>{created.token}</code>
          </pre>
          <p className="actions-row">
            <button
              type="button"
              className="btn btn-small"
              onClick={() =>
                void navigator.clipboard?.writeText(created.token).then(() => setCopied(true))
              }
            >
              {copied ? 'Copied' : 'Copy'}
            </button>
            <button
              type="button"
              className="btn btn-small btn-ghost"
              onClick={() => {
                setCreated(null);
                setCopied(false);
              }}
            >
              Done
            </button>
          </p>
        </div>
      ) : null}
      <QueryView query={tokens}>
        {(d) =>
          d.items.length === 0 ? (
            <Empty>No tokens besides the one in TRADEWATCH_ADMIN_TOKEN.</Empty>
          ) : (
            <TableWrap label="Tokens">
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Scopes</th>
                    <th scope="col" className="hide-sm">
                      Bot
                    </th>
                    <th scope="col" className="hide-sm">
                      Created
                    </th>
                    <th scope="col">Last used</th>
                    <th scope="col">
                      <span className="sr-only">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {d.items.map((t) => (
                    <tr key={t.id}>
                      <td>
                        {t.name}
                        <div className="muted small">{t.id}</div>
                      </td>
                      <td>{t.scopes.join(', ')}</td>
                      <td className="hide-sm">{t.bot ?? '—'}</td>
                      <td className="hide-sm">
                        <Time iso={t.created_at} />
                      </td>
                      <td>
                        <Time iso={t.last_used_at} />
                      </td>
                      <td className="r">
                        <button
                          type="button"
                          className="btn btn-small btn-danger"
                          disabled={revoke.isPending}
                          onClick={() => {
                            const self =
                              t.id === selfTokenId
                                ? ' You are logged in with it: this logs you out.'
                                : '';
                            if (
                              window.confirm(
                                `Revoke token “${t.name}”? Whatever uses it stops working.${self}`,
                              )
                            )
                              revoke.mutate(t);
                          }}
                        >
                          Revoke
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
          )
        }
      </QueryView>
      {revoke.error ? <ErrorBox error={revoke.error} /> : null}
      <h3>New token</h3>
      <NewToken onCreated={setCreated} />
    </Section>
  );
}

export default function Settings() {
  const session = useSession();
  const admin = hasScope(session.data, 'admin');
  const config = useConfig(admin);
  const version = useVersion();
  const theme = useTheme();
  return (
    <div className="page">
      <h1>Settings</h1>
      <div className="grid">
        <Section title="Session" id="session">
          {session.data ? (
            <dl className="facts">
              <div>
                <dt>Logged in as</dt>
                <dd>{session.data.name}</dd>
              </div>
              <div>
                <dt>Scopes</dt>
                <dd>{session.data.scopes.join(', ')}</dd>
              </div>
              <div>
                <dt>Session ends</dt>
                <dd>
                  <Time iso={session.data.expires_at} />
                </dd>
              </div>
            </dl>
          ) : null}
        </Section>
        <Section title="Appearance" id="appearance">
          <fieldset className="radios">
            <legend>Theme</legend>
            {(['dark', 'light'] as const).map((t) => (
              <label key={t} className="check">
                <input
                  type="radio"
                  name="theme"
                  checked={theme === t}
                  onChange={() => setTheme(t)}
                />
                <span>{t === 'dark' ? 'Dark' : 'Light'}</span>
              </label>
            ))}
          </fieldset>
        </Section>
        <Section title="Version" id="version">
          <QueryView query={version} rows={1}>
            {(v) => (
              <dl className="facts">
                <div>
                  <dt>Tradewatch</dt>
                  <dd>{v.version}</dd>
                </div>
                <div>
                  <dt>Node.js</dt>
                  <dd>{v.node}</dd>
                </div>
                <div>
                  <dt>Database</dt>
                  <dd>{v.database}</dd>
                </div>
              </dl>
            )}
          </QueryView>
        </Section>
      </div>
      {admin ? (
        <>
          <Tokens selfTokenId={session.data?.token_id} />
          <Section title="Configuration" id="config">
            <p className="muted small">
              The configuration the hub runs with; passwords, tokens and URLs with credentials are
              redacted.
            </p>
            <QueryView query={config}>
              {(c) => (
                <pre className="code config" tabIndex={0}>
                  <code>{JSON.stringify(c, null, 2)}</code>
                </pre>
              )}
            </QueryView>
          </Section>
        </>
      ) : (
        <Section title="Tokens and configuration" id="admin-only">
          <p className="muted">
            Managing tokens and viewing the configuration needs the admin scope.
          </p>
        </Section>
      )}
    </div>
  );
}
