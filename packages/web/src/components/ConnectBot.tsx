import { useState } from 'react';

/** The first-run empty state: where the hub is and how a bot reports its first fill. */
export function ConnectBot({ compact = false }: { compact?: boolean }) {
  const origin = window.location.origin;
  const [ts] = useState(() => new Date().toISOString().replace(/\.\d+Z$/, 'Z'));
  const curl = [
    `curl -X POST ${origin}/api/v1/ingest \\`,
    `  -H "Authorization: Bearer $TRADEWATCH_TOKEN" \\`,
    `  -H "Content-Type: application/json" \\`,
    `  -d '{"events":[{"type":"fill","id":"f1","bot":"my-bot","symbol":"AAPL","side":"buy","qty":10,"price":190.5,"ts":"${ts}"}]}'`,
  ].join('\n');
  const [copied, setCopied] = useState(false);
  return (
    <div className={`connect ${compact ? 'connect-compact' : ''}`}>
      <h2>Connect your first bot</h2>
      <p>
        Your hub is at <code>{origin}</code>. Bots report fills, orders, heartbeats and logs to{' '}
        <code>POST /api/v1/ingest</code> with a token that has the <code>ingest</code> scope:
      </p>
      <pre className="code" tabIndex={0}>
        <code>{`tradewatch token create --name my-bot --scope ingest\nexport TRADEWATCH_TOKEN=tw_…   # the token it prints`}</code>
      </pre>
      <p>Then send a first fill; it appears here within a second:</p>
      <pre className="code" tabIndex={0}>
        <code>{curl}</code>
      </pre>
      <p className="actions-row">
        <button
          type="button"
          className="btn btn-small"
          onClick={() => {
            void navigator.clipboard?.writeText(curl).then(() => setCopied(true));
          }}
        >
          {copied ? 'Copied' : 'Copy the curl command'}
        </button>
        <a className="btn btn-small btn-ghost" href="/api/docs" target="_blank" rel="noreferrer">
          API reference
        </a>
      </p>
    </div>
  );
}
