/**
 * The real HH-RLHF dev file (Anthropic, MIT; see ../shared/data/README.md), read in place — never copied in.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

/** Path of `harmless-base-test.dev.jsonl.gz` (1,800 rows). */
export const HH_DEV_FILE = fileURLToPath(new URL('../../../shared/data/hh-rlhf/harmless-base-test.dev.jsonl.gz', import.meta.url));

/** Its uncompressed bytes. */
export const hhDevBytes = (): Buffer => gunzipSync(readFileSync(HH_DEV_FILE));

/** Its rows, parsed. */
export function hhDevRows(): { chosen: string; rejected: string }[] {
  return hhDevBytes()
    .toString('utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as { chosen: string; rejected: string });
}
