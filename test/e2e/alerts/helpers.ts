import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import type { HubProcess } from '../../support/hub-process.js';

export { startReceiver } from '../../../packages/server/src/alerts/testing/receiver.test-util.js';
export { startFakeTelegram } from '../../../packages/server/src/alerts/testing/fake-telegram.test-util.js';

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
}

/** A real SMTP server on loopback (smtp-server) that keeps every message it accepts. */
export async function startSmtp() {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      let raw = '';
      stream.on('data', (d: Buffer) => (raw += d.toString('utf8')));
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    mails,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Polls `check` until it returns a value (the test's timeout bounds the wait; no timing assertion). */
export async function eventually<T>(
  check: () => Promise<T | null | undefined | false>,
  what = 'condition',
): Promise<T> {
  for (;;) {
    const v = await check();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  void what;
}

export interface AlertItem {
  id: string;
  name: string;
  state: string;
  status: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  starts_at: string;
  ends_at: string | null;
}

export async function alertsOf(hub: HubProcess, state = 'active'): Promise<AlertItem[]> {
  const res = await hub.api<{ items: AlertItem[] }>(
    'GET',
    `/api/v1/alerts?state=${state}&limit=1000`,
  );
  return res.body.items;
}

export function ingest(hub: HubProcess, events: unknown[]) {
  return hub.api<{ accepted: number }>('POST', '/api/v1/ingest', { events });
}
