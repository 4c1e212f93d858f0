/**
 * Prompt + response token rows packed into the fixed-shape tensors every RL graph takes: tokens
 * [B, T] (right-padded) and an action mask [B, T−1] whose entry i is 1 when token i+1 is a response
 * token. Entry i of any per-action array (log-probs, values, advantages) belongs to token i+1, the
 * convention of `nextTokenLogProbs`. Short batches are filled with copies of their first row whose
 * mask is 0, so every graph sees one shape and compiles once.
 */
import type { HostTensor } from '../../engine/index.ts';

/** One row: the prompt tokens and the response tokens that follow them. */
export interface TokenRow {
  readonly promptTokens: readonly number[];
  readonly responseTokens: readonly number[];
}

/** Where a row's response sits in the [T−1] action axis. */
export function actionSpan(row: TokenRow): { start: number; end: number } {
  const start = row.promptTokens.length - 1;
  return { start, end: start + row.responseTokens.length };
}

/** Rows packed as tensors. */
export interface PackedRows {
  /** int64 [B, T]. */
  readonly tokens: HostTensor;
  /** float32 [B, T−1]: 1 on response actions of real rows. */
  readonly mask: HostTensor;
  readonly batch: number;
  readonly length: number;
}

/**
 * Pack up to `batch` rows into [batch, length] tensors (filler rows repeat row 0 with mask 0).
 * @throws RangeError when a row is longer than `length` or has an empty prompt.
 */
export function packRows(rows: readonly TokenRow[], batch: number, length: number, padId = 0): PackedRows {
  if (rows.length === 0 || rows.length > batch) throw new RangeError(`packRows: ${rows.length} rows for a batch of ${batch}`);
  const tokens = new BigInt64Array(batch * length).fill(BigInt(padId));
  const mask = new Float32Array(batch * (length - 1));
  for (let r = 0; r < batch; r++) {
    const row = rows[r] ?? rows[0];
    const all = [...row.promptTokens, ...row.responseTokens];
    if (row.promptTokens.length === 0) throw new RangeError(`packRows: row ${r} has an empty prompt`);
    if (all.length > length) throw new RangeError(`packRows: row ${r} has ${all.length} tokens for length ${length}`);
    all.forEach((token, i) => (tokens[r * length + i] = BigInt(token)));
    if (r < rows.length) {
      const { start, end } = actionSpan(row);
      mask.fill(1, r * (length - 1) + start, r * (length - 1) + end);
    }
  }
  return { tokens: { data: tokens, shape: [batch, length] }, mask: { data: mask, shape: [batch, length - 1] }, batch, length };
}

/** Lay per-response values (one per response token) of each row into a [batch, length−1] tensor (0 elsewhere). */
export function actionTensor(rows: readonly TokenRow[], values: readonly ArrayLike<number>[], batch: number, length: number): HostTensor {
  const data = new Float32Array(batch * (length - 1));
  rows.forEach((row, r) => {
    const { start } = actionSpan(row);
    const v = values[r];
    if (v.length !== row.responseTokens.length) throw new RangeError(`actionTensor: row ${r} has ${v.length} values for ${row.responseTokens.length} tokens`);
    for (let i = 0; i < v.length; i++) data[r * (length - 1) + start + i] = v[i];
  });
  return { data, shape: [batch, length - 1] };
}

/**
 * The response part of row `r` of a row-major array with `stride` entries a row: a [B, T−1] action
 * array (stride T−1), or per-position values [B, T] (stride T), whose entry at position i is the value
 * of the state before token i+1 — the same index as that token's log-prob.
 */
export function responseValues(data: ArrayLike<number>, row: TokenRow, r: number, stride: number): Float32Array {
  const { start, end } = actionSpan(row);
  const out = new Float32Array(end - start);
  for (let i = start; i < end; i++) out[i - start] = data[r * stride + i];
  return out;
}

/** Split `items` into consecutive chunks of at most `size`. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < items.length; start += size) out.push(items.slice(start, start + size));
  return out;
}
