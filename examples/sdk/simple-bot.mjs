// @ts-check
// A minimal bot reporting to Tradewatch with @tradewatch/sdk (works the same from TypeScript).
//
//   npm run build                                  # in the Tradewatch repository
//   TRADEWATCH_URL=http://127.0.0.1:8080 TRADEWATCH_TOKEN=tw_... node examples/sdk/simple-bot.mjs
import { TradewatchClient } from '@tradewatch/sdk';

const url = process.env.TRADEWATCH_URL ?? 'http://127.0.0.1:8080';
const token = process.env.TRADEWATCH_TOKEN;
if (!token) {
  console.error(
    'set TRADEWATCH_TOKEN (tradewatch token create --name demo --scope ingest --bot sdk-demo)',
  );
  process.exit(1);
}

const tw = new TradewatchClient({
  url,
  token,
  bot: process.env.TRADEWATCH_BOT ?? 'sdk-demo',
  account: 'paper',
  strategy: 'demo-momentum',
  version: '1.0.0',
  // Events wait here (fsynced) while the hub is unreachable and are replayed in order.
  spool: { dir: './tradewatch-spool' },
  onError: (error) => console.warn(`tradewatch: ${error.message}`),
  onStateChange: (state) => console.log(`tradewatch: ${state}`),
});

let halted = false;
tw.onHalt(async (command) => {
  halted = true; // stop opening positions; acknowledged when this resolves
  console.log(`halted by the hub: ${command.reason ?? 'no reason given'}`);
});
tw.onResume(() => {
  halted = false;
});
tw.onFlatten(async () => {
  // close every position here, then resolve
});

tw.startHeartbeat({ intervalS: 15, status: () => (halted ? 'halted' : 'running') });
tw.setConnection('exchange', 'up');

// A pretend strategy: buy and sell a little every second.
let price = 100;
let n = 0;
const timer = setInterval(() => {
  if (halted) return;
  price = Math.round((price + (Math.random() - 0.5)) * 100) / 100;
  const side = n++ % 2 === 0 ? 'buy' : 'sell';
  const orderId = `o-${Date.now()}`;
  tw.order({
    order_id: orderId,
    symbol: 'DEMO',
    side,
    qty: 10,
    order_type: 'market',
    status: 'filled',
  });
  tw.fill({ symbol: 'DEMO', side, qty: 10, price, fee: 0.05, order_id: orderId });
  tw.mark({ symbol: 'DEMO', price });
}, 1000);

process.on('SIGINT', async () => {
  clearInterval(timer);
  await tw.close(); // delivers what is pending; the rest stays in the spool for next time
  process.exit(0);
});
