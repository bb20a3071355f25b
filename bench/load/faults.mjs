// Dependency faults at full size: PostgreSQL restarted 3 times under load (5 s down each) on a
// private server of the run's own; SQLite on a full disk; an alert channel that never answers.
// CI runs the same suite with one 1.5 s restart (test/proof/faults.test.ts).
// Usage: node bench/load/faults.mjs [--restarts 3] [--down-ms 5000] [--alerts 50]
import { runProof } from './proof-runner.mjs';

runProof('test/proof/faults.test.ts');
