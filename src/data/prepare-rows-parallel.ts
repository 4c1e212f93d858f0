/**
 * Prepare a file's rows in a worker thread (see `prepare-rows.ts`) and receive them here as an async
 * iterable, so decoding and hashing run on one core while the caller writes to SQLite on another.
 * Stopping early (break, throw) terminates the worker.
 */
import { Worker } from 'node:worker_threads';
import { DataFormatError, HhrlError } from '../spec/errors.ts';
import type { PreparedRow, PrepareSettings } from './prepare-rows.ts';
import type { WorkerMessage } from './prepare-rows-protocol.ts';

const ENTRY = new URL('./prepare-rows-worker-entry.mjs', import.meta.url);

/** Like `prepareRows(file, settings)`, computed in a worker thread. */
export async function* prepareRowsInWorker(file: string, settings: PrepareSettings): AsyncGenerator<PreparedRow[]> {
  const worker = new Worker(ENTRY, { workerData: { file, settings } });
  const queue: (WorkerMessage | { type: 'crash'; error: Error })[] = [];
  let wake: (() => void) | null = null;
  const push = (message: WorkerMessage | { type: 'crash'; error: Error }) => {
    queue.push(message);
    wake?.();
    wake = null;
  };
  worker.on('message', push);
  worker.on('error', (error) => push({ type: 'crash', error }));
  worker.on('exit', (code) => push({ type: 'crash', error: new Error(`the import worker exited (code ${code}) before finishing`) }));
  try {
    for (;;) {
      if (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      const message = queue.shift()!;
      switch (message.type) {
        case 'rows':
          worker.postMessage('ack');
          yield message.rows;
          break;
        case 'done':
          return;
        case 'data-error':
          throw new DataFormatError(message.file, message.line, message.expected);
        case 'failure':
          throw new HhrlError(`the import worker failed: ${message.message}`);
        case 'crash':
          throw message.error;
      }
    }
  } finally {
    worker.removeAllListeners();
    await worker.terminate();
  }
}
