/**
 * Worker-thread body for `prepare-rows-parallel.ts`: prepares the rows of one file and posts them in batches,
 * never more than `MAX_IN_FLIGHT` batches ahead of the main thread (which acknowledges each one), so memory
 * stays bounded when SQLite is the slower side.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { DataFormatError } from '../spec/errors.ts';
import { prepareRows, type PrepareSettings } from './prepare-rows.ts';
import { MAX_IN_FLIGHT, type WorkerMessage } from './prepare-rows-protocol.ts';

const { file, settings } = workerData as { file: string; settings: PrepareSettings };
const port = parentPort!;
let inFlight = 0;
let wake: (() => void) | null = null;
port.on('message', () => {
  inFlight--;
  wake?.();
  wake = null;
});
const post = (message: WorkerMessage) => port.postMessage(message);

try {
  for await (const rows of prepareRows(file, settings)) {
    while (inFlight >= MAX_IN_FLIGHT) await new Promise<void>((resolve) => (wake = resolve));
    inFlight++;
    post({ type: 'rows', rows });
  }
  post({ type: 'done' });
} catch (error) {
  if (error instanceof DataFormatError) {
    post({ type: 'data-error', file: error.file, line: error.line, expected: error.expected });
  } else {
    post({ type: 'failure', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
}
port.close();
