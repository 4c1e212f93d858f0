/**
 * The data fingerprint of a run: a short hash of the items it trains on, kept in every checkpoint's
 * `trainer.json`, so that `--resume` with other data is refused instead of silently continuing on it.
 */
import { createHash } from 'node:crypto';

/**
 * sha-256 (first 24 hex digits) of `items` in order, each item delimited, so `['ab', 'c']` and `['a', 'bc']` differ.
 * @example dataFingerprint(['\n\nHuman: hi\n\nAssistant: hello']) // '5c0f…' (24 hex digits)
 */
export function dataFingerprint(items: Iterable<string>): string {
  const hash = createHash('sha256');
  for (const item of items) hash.update(`${item.length}:${item}\u0000`);
  return hash.digest('hex').slice(0, 24);
}
