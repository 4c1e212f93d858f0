/**
 * Streaming, atomic writer of line files (`.jsonl`, or gzip-compressed `.jsonl.gz`). Lines are pulled from an
 * iterable as the disk takes them (memory stays bounded), written to a temp file beside the target, fsynced and
 * renamed over it: a reader sees the old file or the complete new one, never a partial one.
 */
import { createWriteStream } from 'node:fs';
import { open, rename, rm, mkdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable, type Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';

/** Options of {@link writeLinesAtomic}. */
export interface WriteLinesOptions {
  /** Compress with gzip; default: when the path ends in `.gz`. */
  readonly gzip?: boolean;
}

/** What was written: lines, and uncompressed bytes. */
export interface WriteLinesResult {
  readonly lines: number;
  readonly bytes: number;
}

const CHUNK_CHARS = 1 << 20;

/**
 * Write every string of `lines` followed by `\n` to `path`, atomically.
 * @example
 * await writeLinesAtomic('out/pairs.jsonl.gz', ['{"a": 1}', '{"a": 2}']) // → { lines: 2, bytes: 18 }
 */
export async function writeLinesAtomic(path: string, lines: Iterable<string> | AsyncIterable<string>, options: WriteLinesOptions = {}): Promise<WriteLinesResult> {
  const gzip = options.gzip ?? path.endsWith('.gz');
  const folder = dirname(path);
  await mkdir(folder, { recursive: true });
  const temp = join(folder, `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  let count = 0;
  let bytes = 0;
  let buffer = '';
  /** Add a line; a full chunk when one is ready. */
  const push = (line: string): string | undefined => {
    buffer += line + '\n';
    count++;
    return buffer.length >= CHUNK_CHARS ? take() : undefined;
  };
  const take = (): string => {
    const chunk = buffer;
    bytes += Buffer.byteLength(chunk);
    buffer = '';
    return chunk;
  };
  // A synchronous source is read synchronously (no promise per line: large SQLite exports); an async one awaited.
  function* syncChunks(source: Iterable<string>): Generator<string> {
    for (const line of source) {
      const chunk = push(line);
      if (chunk !== undefined) yield chunk;
    }
    if (buffer.length > 0) yield take();
  }
  async function* asyncChunks(source: AsyncIterable<string>): AsyncGenerator<string> {
    for await (const line of source) {
      const chunk = push(line);
      if (chunk !== undefined) yield chunk;
    }
    if (buffer.length > 0) yield take();
  }
  const chunks = () => (Symbol.iterator in lines ? syncChunks(lines) : asyncChunks(lines));
  try {
    const stages: (Readable | Transform)[] = [Readable.from(chunks(), { objectMode: false })];
    if (gzip) stages.push(createGzip());
    await pipeline([...stages, createWriteStream(temp)]);
    const handle = await open(temp, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  await syncFolder(folder);
  return { lines: count, bytes };
}

async function syncFolder(folder: string): Promise<void> {
  try {
    const handle = await open(folder, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Some file systems refuse fsync on a folder; the rename is still atomic.
  }
}
