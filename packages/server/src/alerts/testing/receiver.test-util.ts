import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  text: string;
  /** Parsed JSON body, or the form fields of a urlencoded body, or null. */
  body: unknown;
  status: number;
  at: number;
}

export interface Receiver {
  url: string;
  port: number;
  requests: ReceivedRequest[];
  /** Status to answer the n-th request (0-based) with; default 200. */
  respond(fn: (n: number, req: ReceivedRequest) => number): void;
  /** Resolves once `count` requests with a 2xx answer arrived (no timing: the test's own timeout bounds it). */
  waitFor(count: number, filter?: (r: ReceivedRequest) => boolean): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}

/** An HTTP receiver on loopback that records every request (webhook, Slack, Discord, Twilio, Alertmanager). */
export async function startReceiver(port = 0): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  let respond: (n: number, req: ReceivedRequest) => number = () => 200;
  const waiters = new Set<() => void>();
  const server: Server = createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => (text += d));
    req.on('end', () => {
      let body: unknown = null;
      const type = req.headers['content-type'] ?? '';
      try {
        if (type.includes('json')) body = JSON.parse(text);
        else if (type.includes('urlencoded')) body = Object.fromEntries(new URLSearchParams(text));
      } catch {
        body = null;
      }
      const r: ReceivedRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        text,
        body,
        status: 200,
        at: performance.now(),
      };
      r.status = respond(requests.length, r);
      requests.push(r);
      res.statusCode = r.status;
      res.setHeader('content-type', 'application/json');
      res.end(
        r.status >= 200 && r.status < 300 ? '{"ok":true}' : '{"ok":false,"message":"try later"}',
      );
      for (const w of [...waiters]) w();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    requests,
    respond(fn) {
      respond = fn;
    },
    waitFor(count, filter = () => true) {
      const ok = () => requests.filter((r) => r.status >= 200 && r.status < 300 && filter(r));
      return new Promise((resolve) => {
        const check = () => {
          const list = ok();
          if (list.length >= count) {
            waiters.delete(check);
            resolve(list);
          }
        };
        waiters.add(check);
        check();
      });
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
