/**
 * Streaming line reader for `.jsonl` and `.jsonl.gz` files (gzip is recognised by its magic bytes, not the
 * name). Memory stays bounded: a line longer than `maxLineBytes` is not buffered — its bytes are dropped up to
 * the next newline and it is reported as a `too-long` line, so a 50 MB single-line file gives a clear error
 * instead of eating memory. A UTF-8 byte-order mark at the start is dropped; a `\r` before `\n` (CRLF) is
 * dropped; lines that are empty or only whitespace are not reported.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { isUtf8 } from 'node:buffer';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { DataFormatError } from '../spec/errors.ts';

/**
 * Longest line read, in bytes: 16 MiB. The longest row of the released HH-RLHF files is well under 100 KB, so
 * this leaves two orders of magnitude of room for long transcripts while capping memory per line.
 */
export const DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;

/** One line of a file: its text, or why it could not be read as text. Line numbers start at 1. */
export type FileLine =
  | { readonly line: number; readonly text: string }
  | { readonly line: number; readonly problem: 'too-long' | 'invalid-utf8'; readonly bytes: number };

/** Options of {@link readLines}. */
export interface ReadLinesOptions {
  /** Longest line in bytes (without the newline); default {@link DEFAULT_MAX_LINE_BYTES}. */
  readonly maxLineBytes?: number;
}

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/** True when the file starts with the gzip magic bytes 1f 8b. */
export async function isGzipFile(file: string): Promise<boolean> {
  const handle = await open(file, 'r').catch((error: NodeJS.ErrnoException) => {
    throw new DataFormatError(file, undefined, `expected a readable file (${error.code ?? error.message})`, { cause: error });
  });
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    return bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

function openDecoded(file: string, gzip: boolean): Readable {
  const source = createReadStream(file, { highWaterMark: 1 << 20 });
  if (!gzip) return source;
  const gunzip = createGunzip({ chunkSize: 1 << 18 });
  source.on('error', (error) => gunzip.destroy(error));
  return source.pipe(gunzip);
}

/**
 * Read the lines of a plain or gzip-compressed text file, one at a time.
 * @throws DataFormatError naming the file (and the line reached) when the file cannot be read or its gzip
 * stream is truncated or corrupt.
 */
export async function* readLines(file: string, options: ReadLinesOptions = {}): AsyncGenerator<FileLine> {
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const gzip = await isGzipFile(file);
  const stream = openDecoded(file, gzip);
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let dropping = false; // inside a line that is already too long
  let line = 0;

  const finish = (tail: Buffer | null): FileLine | null => {
    line++;
    if (dropping) {
      const bytes = pendingBytes + (tail?.length ?? 0);
      dropping = false;
      pending = [];
      pendingBytes = 0;
      return { line, problem: 'too-long', bytes };
    }
    let bytes = pending.length === 0 ? (tail ?? Buffer.alloc(0)) : Buffer.concat(tail === null ? pending : [...pending, tail]);
    pending = [];
    pendingBytes = 0;
    if (bytes.length > maxLineBytes) return { line, problem: 'too-long', bytes: bytes.length };
    if (line === 1 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
    if (bytes.length > 0 && bytes[bytes.length - 1] === CARRIAGE_RETURN) bytes = bytes.subarray(0, bytes.length - 1);
    if (!isUtf8(bytes)) return { line, problem: 'invalid-utf8', bytes: bytes.length };
    const text = bytes.toString('utf8');
    return text.trim() === '' ? null : { line, text };
  };

  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let start = 0;
      while (start < chunk.length) {
        const end = chunk.indexOf(NEWLINE, start);
        if (end === -1) {
          const rest = chunk.subarray(start);
          pendingBytes += rest.length;
          if (pendingBytes > maxLineBytes) {
            dropping = true;
            pending = [];
          } else if (!dropping) pending.push(rest);
          break;
        }
        const result = finish(chunk.subarray(start, end));
        if (result !== null) yield result;
        start = end + 1;
      }
    }
  } catch (error) {
    if (error instanceof DataFormatError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? '';
    const what = gzip
      ? `expected a complete gzip stream; it is truncated or corrupt after line ${line} (${code || (error as Error).message})`
      : `expected a readable file (${code || (error as Error).message})`;
    throw new DataFormatError(file, line + 1, what, { cause: error });
  }
  if (pendingBytes > 0 || dropping) {
    const result = finish(null);
    if (result !== null) yield result;
  }
}
