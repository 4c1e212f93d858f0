/**
 * A small seeded pseudo-random generator (sfc32, seeded through splitmix32) with the draws hhrl needs.
 * Every random choice in hhrl goes through one of these, passed in, so the same seed gives the same run.
 * Streams can be forked by label (`random.fork('corpus')`): a forked stream depends only on the parent's seed
 * and the label, so adding draws to one part of a program does not shift the numbers another part sees.
 */

/** 32-bit FNV-1a hash of a string (UTF-16 code units). */
export function hashString32(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** One step of splitmix32: returns the next state and a well-mixed 32-bit output. */
function splitmix32(state: number): [number, number] {
  const next = (state + 0x9e3779b9) >>> 0;
  let mixed = next;
  mixed = Math.imul(mixed ^ (mixed >>> 16), 0x21f0aaad);
  mixed = Math.imul(mixed ^ (mixed >>> 15), 0x735a2d97);
  return [next, (mixed ^ (mixed >>> 15)) >>> 0];
}

/**
 * Seeded generator (sfc32 by Chris Doty-Humphrey, from PractRand). Not for cryptography.
 * @example
 * const random = new Random(7);
 * random.int(10); // the same integer in [0, 10) on every run
 */
export class Random {
  /** The seed this stream was built from (a 32-bit unsigned integer). */
  readonly seed: number;
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number | string) {
    this.seed = typeof seed === 'string' ? hashString32(seed) : seed >>> 0;
    let state = this.seed;
    const words: number[] = [];
    for (let index = 0; index < 4; index++) {
      const [next, output] = splitmix32(state);
      state = next;
      words.push(output);
    }
    [this.a, this.b, this.c, this.d] = words;
    for (let index = 0; index < 12; index++) this.nextUint32();
  }

  /** Next uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** Uniform number in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    if (!(n >= 1) || !Number.isInteger(n)) throw new RangeError(`Random.int: n must be a positive integer, got ${n}`);
    return Math.floor(this.next() * n);
  }

  /** Uniform integer in [low, high] (both inclusive). */
  range(low: number, high: number): number {
    return low + this.int(high - low + 1);
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** One element of `items`, uniformly. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('Random.pick: no items');
    return items[this.int(items.length)];
  }

  /** One key of `weights`, with probability proportional to its weight (keys in insertion order). */
  weighted<K extends string>(weights: Readonly<Record<K, number>>): K {
    const entries = Object.entries(weights) as [K, number][];
    const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
    if (!(total > 0)) throw new RangeError('Random.weighted: weights must have a positive sum');
    let draw = this.next() * total;
    for (const [key, weight] of entries) {
      draw -= weight;
      if (draw < 0) return key;
    }
    return entries[entries.length - 1][0];
  }

  /** A shuffled copy of `items` (Fisher–Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let index = out.length - 1; index > 0; index--) {
      const other = this.int(index + 1);
      [out[index], out[other]] = [out[other], out[index]];
    }
    return out;
  }

  /** `count` distinct elements of `items` in random order. */
  sample<T>(items: readonly T[], count: number): T[] {
    if (count > items.length) throw new RangeError(`Random.sample: asked ${count} of ${items.length}`);
    return this.shuffle(items).slice(0, count);
  }

  /** Standard normal draw (Box–Muller). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** An independent stream determined by this stream's seed and `label` only. */
  fork(label: string): Random {
    return new Random(hashString32(`${this.seed}:${label}`));
  }

  /** This stream as a plain `() => number` source (e.g. for attack strategies). */
  uniform(): () => number {
    return () => this.next();
  }
}
