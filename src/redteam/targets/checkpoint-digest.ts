/**
 * A digest of what makes a local checkpoint answer the way it does — its config, weights and tokenizer — so a
 * resumed red-team run can tell that `hhrl:DIR` now holds another model (a retrained or overwritten checkpoint)
 * even though the path is the same.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CheckpointError } from '../../spec/errors.ts';

/** The checkpoint files that change replies (see `src/model/checkpoint.ts`). */
export const CHECKPOINT_REPLY_FILES = ['config.json', 'model.safetensors', 'tokenizer.json'] as const;

/** sha256 over the reply-changing files of checkpoint `dir`, each prefixed by its name. */
export function checkpointDigest(dir: string): string {
  const hash = createHash('sha256');
  for (const name of CHECKPOINT_REPLY_FILES) {
    const path = join(dir, name);
    if (!existsSync(path)) throw new CheckpointError(`${dir}: not a checkpoint (no ${name})`);
    hash.update(`${name}\n`).update(readFileSync(path));
  }
  return hash.digest('hex');
}
