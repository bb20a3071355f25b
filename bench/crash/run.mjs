// Crash durability at full size: 20 SIGKILLs of the built hub at random moments while a client
// streams batches, on SQLite and on PostgreSQL; every acknowledged event present exactly once,
// `tradewatch rebuild` agrees. The same suite runs in CI with 5 kills (test/proof/crash.test.ts).
// Usage: node bench/crash/run.mjs [--kills 20] [--batch 100] [--seed N]   (npm run build first)
import { runProof } from '../load/proof-runner.mjs';

runProof('test/proof/crash.test.ts');
