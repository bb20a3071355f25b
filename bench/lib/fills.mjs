// Deterministic synthetic fills for benchmarks: `bots` bots × `symbols` symbols, random-walk
// prices, random sides, a fee on each fill.
export function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function makeFills({
  count,
  bots = 10,
  symbols = 100,
  seed = 42,
  start = Date.UTC(2026, 0, 5),
}) {
  const random = rng(seed);
  const prices = Array.from({ length: symbols }, (_, i) => 50 + i);
  const fills = new Array(count);
  for (let i = 0; i < count; i++) {
    const s = Math.floor(random() * symbols);
    prices[s] = Math.max(1, Math.round(prices[s] * (1 + (random() - 0.5) * 0.002) * 100) / 100);
    // Each bot trades its own stream; batches are cut per bot (a bot sends its own fills).
    const bot = `bot${Math.floor(i / 1000) % bots}`;
    fills[i] = {
      type: 'fill',
      id: `f${i}`,
      bot,
      ts: start + i * 10,
      symbol: `SYM${s}`,
      side: random() < 0.5 ? 'buy' : 'sell',
      qty: 1 + Math.floor(random() * 10),
      price: prices[s],
      fee: 0.35,
      account: `acc${(Math.floor(i / 1000) % bots) % 3}`,
      strategy: `strat${s % 5}`,
    };
  }
  return fills;
}
