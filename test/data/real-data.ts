/**
 * The real HH-RLHF dev file (Anthropic, MIT; see data/README.md), the repository's own copy.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { referenceDataPath } from '../../src/data/reference-data.ts';

/** Path of `harmless-base-test.dev.jsonl.gz` (1,800 rows). */
export const HH_DEV_FILE = referenceDataPath('hhRlhfDev');

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
