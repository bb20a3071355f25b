/**
 * Synthetic markets for the demo: seeded random walks (geometric, with a little drift and
 * volatility per instrument) so every run looks alive but reproducible enough to reason about.
 */
export interface InstrumentSpec {
  symbol: string;
  price: number;
  /** Per-step volatility (fraction). */
  vol: number;
  tick: number;
}

export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class RandomWalk {
  private price: number;
  constructor(
    private readonly spec: InstrumentSpec,
    private readonly random: () => number,
  ) {
    this.price = spec.price;
  }

  get last(): number {
    return this.price;
  }

  /** One step: a normal-ish move of `vol`, rounded to the instrument's tick. */
  step(): number {
    const z = (this.random() + this.random() + this.random() - 1.5) * 2;
    const next = this.price * (1 + z * this.spec.vol);
    this.price = Math.max(this.spec.tick, roundTo(next, this.spec.tick));
    return this.price;
  }
}

export function roundTo(value: number, tick: number): number {
  const decimals = Math.max(0, Math.ceil(-Math.log10(tick)));
  return Number((Math.round(value / tick) * tick).toFixed(decimals));
}
