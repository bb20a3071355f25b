// Hostile input at full size: 100,000 fuzzed requests (fast-check) to POST /api/v1/ingest and
// every adapter route — 60,000 through fastify.inject on SQLite, 30,000 on PostgreSQL, 10,000
// over a real port to the built hub. No 5xx, no crash, nothing stored from a rejected request.
// CI runs the same suite with a few thousand (test/proof/fuzz.test.ts).
// Usage: node bench/fuzz/run.mjs [--inject-sqlite N] [--inject-postgres N] [--http N] [--seed N]
import { runProof } from '../load/proof-runner.mjs';

runProof('test/proof/fuzz.test.ts');
