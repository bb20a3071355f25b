// Load and soak at full size: 50 bots × 100 events/s, 200 WebSocket clients and 10 dashboards
// querying every second, for 10 minutes against the built hub. Prints p50/p99 of ingest and of
// each query, bot→WebSocket delivery latency, RSS over time and its fitted slope (asserted flat).
// CI runs the same suite for ~20 s at a reduced rate (test/proof/load.test.ts).
// Usage: node bench/load/run.mjs [--bots 50] [--rate 100] [--clients 200] [--dashboards 10]
//        [--duration 600] [--rss-every 5] [--store sqlite|postgres]   (npm run build first)
import { runProof } from './proof-runner.mjs';

const argv = process.argv.slice(2);
const store = argv.indexOf('--store');
if (store !== -1) {
  process.env.TRADEWATCH_PROOF_STORE = argv[store + 1];
  argv.splice(store, 2);
}
runProof('test/proof/load.test.ts', argv);
