/**
 * Messages between the import's main thread and its row-preparing worker (`prepare-rows-worker.ts`).
 */
import type { PreparedRow } from './prepare-rows.ts';

/** Batches the worker may post before the main thread has acknowledged them. */
export const MAX_IN_FLIGHT = 4;

/** Worker → main. The main thread answers every `rows` message with an acknowledgement (any message). */
export type WorkerMessage =
  | { readonly type: 'rows'; readonly rows: PreparedRow[] }
  | { readonly type: 'done' }
  | { readonly type: 'data-error'; readonly file: string; readonly line: number | undefined; readonly expected: string }
  | { readonly type: 'failure'; readonly message: string };
