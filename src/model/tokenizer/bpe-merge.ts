/**
 * The merge table of a byte-level BPE model and the per-word merge loop used when encoding.
 */

/** Pair keys are `left * PAIR_KEY_BASE + right`; exact in a double for ids below 2^21. */
export const PAIR_KEY_BASE = 2 ** 21;

/** Largest token id a BPE model here may use (keeps pair keys exact). */
export const MAX_TOKEN_ID = PAIR_KEY_BASE - 1;

/** The key of the adjacent pair (left, right). */
export function pairKey(left: number, right: number): number {
  return left * PAIR_KEY_BASE + right;
}

/** Merges in rank order, indexed for the encode loop. */
export class MergeTable {
  private readonly rankByPair = new Map<number, number>();
  private readonly results: Int32Array;

  /** `merges[rank] = [left, right, result]`: merging `left right` gives token `result`. */
  constructor(readonly merges: ReadonlyArray<readonly [number, number, number]>) {
    this.results = new Int32Array(merges.length);
    merges.forEach(([left, right, result], rank) => {
      const key = pairKey(left, right);
      // A pair listed twice keeps its first (lowest) rank, as Hugging Face does.
      if (!this.rankByPair.has(key)) this.rankByPair.set(key, rank);
      this.results[rank] = result;
    });
  }

  /** Number of merges. */
  get size(): number {
    return this.merges.length;
  }

  /**
   * Apply merges to one word's symbols, in place, lowest rank first, equal ranks left to right.
   * Returns the new length. Short words use GPT-2's pass-per-merge loop; long ones a heap, so an
   * adversarial 1 MB word without spaces costs O(n log n), not O(n · merges).
   */
  apply(symbols: number[]): number {
    return symbols.length > HEAP_THRESHOLD ? this.applyWithHeap(symbols) : this.applyByPasses(symbols);
  }

  /** GPT-2's `bpe()`: find the best pair, merge all its occurrences in one pass, repeat. */
  applyByPasses(symbols: number[]): number {
    let length = symbols.length;
    while (length > 1) {
      let bestRank = -1;
      for (let index = 0; index + 1 < length; index++) {
        const rank = this.rankByPair.get(pairKey(symbols[index], symbols[index + 1]));
        if (rank !== undefined && (bestRank < 0 || rank < bestRank)) bestRank = rank;
      }
      if (bestRank < 0) break;
      const [left, right] = this.merges[bestRank];
      const result = this.results[bestRank];
      let write = 0;
      for (let read = 0; read < length; read++) {
        if (read + 1 < length && symbols[read] === left && symbols[read + 1] === right) {
          symbols[write++] = result;
          read++;
        } else {
          symbols[write++] = symbols[read];
        }
      }
      length = write;
    }
    symbols.length = length;
    return length;
  }

  /** Hugging Face's `merge_all`: a linked list of symbols and a heap of (rank, position). */
  applyWithHeap(symbols: number[]): number {
    const length = symbols.length;
    const next = new Int32Array(length);
    const previous = new Int32Array(length);
    for (let index = 0; index < length; index++) {
      next[index] = index + 1 < length ? index + 1 : -1;
      previous[index] = index - 1;
    }
    const heap = new MinHeap();
    const consider = (position: number): void => {
      const after = next[position];
      if (position < 0 || after < 0) return;
      const rank = this.rankByPair.get(pairKey(symbols[position], symbols[after]));
      if (rank !== undefined) heap.push(rank * POSITION_BASE + position);
    };
    for (let index = 0; index + 1 < length; index++) consider(index);
    while (heap.size > 0) {
      const entry = heap.pop();
      const rank = Math.floor(entry / POSITION_BASE);
      const position = entry - rank * POSITION_BASE;
      const after = next[position];
      // Skip stale entries: the symbol was merged away, or the pair at `position` changed.
      if (symbols[position] < 0 || after < 0) continue;
      const [left, right] = this.merges[rank];
      if (symbols[position] !== left || symbols[after] !== right) continue;
      symbols[position] = this.results[rank];
      symbols[after] = -1;
      next[position] = next[after];
      if (next[after] >= 0) previous[next[after]] = position;
      consider(previous[position]);
      consider(position);
    }
    let write = 0;
    for (let read = 0; read < length; read++) if (symbols[read] >= 0) symbols[write++] = symbols[read];
    symbols.length = write;
    return write;
  }
}

/** Words longer than this (in bytes) are merged with the heap algorithm. */
const HEAP_THRESHOLD = 64;

/** Heap entries are `rank * POSITION_BASE + position`; exact in a double for ranks below 2^21. */
const POSITION_BASE = 2 ** 32;

/** A binary min-heap of numbers. */
class MinHeap {
  private readonly items: number[] = [];

  get size(): number {
    return this.items.length;
  }

  push(value: number): void {
    const items = this.items;
    let index = items.push(value) - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (items[parent] <= value) break;
      items[index] = items[parent];
      index = parent;
    }
    items[index] = value;
  }

  pop(): number {
    const items = this.items;
    const top = items[0];
    const last = items.pop()!;
    if (items.length > 0) {
      let index = 0;
      while (true) {
        const left = 2 * index + 1;
        if (left >= items.length) break;
        const child = left + 1 < items.length && items[left + 1] < items[left] ? left + 1 : left;
        if (items[child] >= last) break;
        items[index] = items[child];
        index = child;
      }
      items[index] = last;
    }
    return top;
  }
}
