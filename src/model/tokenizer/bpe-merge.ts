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
   * Apply merges to one word's symbols, in place, lowest rank first; every occurrence of the best
   * pair is merged left to right in one pass (GPT-2's `bpe()`). Returns the new length.
   */
  apply(symbols: number[]): number {
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
}
