// Dashboard WebSocket clients for the load proof, in a worker thread so reading hundreds of
// sockets does not slow the bots' event loop. Each client subscribes to /api/v1/stream and, for
// fills whose id embeds the bot's send time (`…@<epoch ms>`), records bot-to-dashboard latency.
// Messages are not parsed in full: the type prefix and the id are enough, and cheap.
import { parentPort, workerData } from 'node:worker_threads';
import WebSocket from 'ws';

const { url, token, clients } = workerData;
const epochNow = () => performance.timeOrigin + performance.now();
const latencies = [];
let messages = 0;
let fills = 0;
let closedSlow = 0;
let errors = 0;
let reconnects = 0;
let stopping = false;
const sockets = new Set();
const perClientFills = new Array(clients).fill(0);

function connect(i) {
  const ws = new WebSocket(url, { headers: { authorization: `Bearer ${token}` } });
  sockets.add(ws);
  ws.on('message', (data) => {
    messages++;
    const text = data.toString();
    if (!text.startsWith('{"type":"fill"')) return;
    fills++;
    perClientFills[i]++;
    const at = text.indexOf('@', text.indexOf('"id":"'));
    if (at > 0) {
      const sent = Number(text.slice(at + 1, text.indexOf('"', at)));
      if (Number.isFinite(sent)) latencies.push(epochNow() - sent);
    }
  });
  ws.on('error', () => errors++);
  ws.on('close', (code) => {
    sockets.delete(ws);
    if (stopping) return;
    if (code === 1013) closedSlow++;
    reconnects++;
    setTimeout(() => connect(i), 200);
  });
  return new Promise((resolve) => ws.once('open', resolve).once('error', resolve));
}

await Promise.all(Array.from({ length: clients }, (_, i) => connect(i)));
parentPort.postMessage({ type: 'ready', open: sockets.size });

parentPort.on('message', (m) => {
  if (m.type === 'report') {
    parentPort.postMessage({
      type: 'report',
      latencies: latencies.splice(0),
      messages,
      fills,
      closedSlow,
      errors,
      reconnects,
      clientsWithFills: perClientFills.filter((n) => n > 0).length,
    });
  } else if (m.type === 'stop') {
    stopping = true;
    for (const s of sockets) s.close();
    parentPort.postMessage({ type: 'stopped' });
  }
});
