/**
 * A max-heap of (count, pair key) for BPE training. Order: higher count first; on equal counts the
 * smaller pair key (smaller left id, then smaller right id) first — the trainer's fixed tie rule.
 */
export class PairHeap {
  private readonly counts: number[] = [];
  private readonly keys: number[] = [];

  /** Number of entries. */
  get size(): number {
    return this.keys.length;
  }

  /** Add an entry. */
  push(count: number, key: number): void {
    this.counts.push(count);
    this.keys.push(key);
    this.siftUp(this.keys.length - 1);
  }

  /** Remove and return the best entry, or `undefined` when empty. */
  pop(): { count: number; key: number } | undefined {
    const last = this.keys.length - 1;
    if (last < 0) return undefined;
    const top = { count: this.counts[0], key: this.keys[0] };
    this.counts[0] = this.counts[last];
    this.keys[0] = this.keys[last];
    this.counts.pop();
    this.keys.pop();
    if (this.keys.length > 0) this.siftDown(0);
    return top;
  }

  private before(a: number, b: number): boolean {
    return this.counts[a] > this.counts[b] || (this.counts[a] === this.counts[b] && this.keys[a] < this.keys[b]);
  }

  private swap(a: number, b: number): void {
    [this.counts[a], this.counts[b]] = [this.counts[b], this.counts[a]];
    [this.keys[a], this.keys[b]] = [this.keys[b], this.keys[a]];
  }

  private siftUp(index: number): void {
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!this.before(index, parent)) return;
      this.swap(index, parent);
      index = parent;
    }
  }

  private siftDown(index: number): void {
    const size = this.keys.length;
    while (true) {
      const left = 2 * index + 1;
      const right = left + 1;
      let best = index;
      if (left < size && this.before(left, best)) best = left;
      if (right < size && this.before(right, best)) best = right;
      if (best === index) return;
      this.swap(index, best);
      index = best;
    }
  }
}
