/**
 * Streaming line reader for `.jsonl` and `.jsonl.gz` files (gzip is recognised by its magic bytes, not the
 * name). Memory stays bounded: a line longer than `maxLineBytes` is not buffered — its bytes are dropped up to
 * the next newline and it is reported as a `too-long` line, so a 50 MB single-line file gives a clear error
 * instead of eating memory. A UTF-8 byte-order mark at the start is dropped; a `\r` before `\n` (CRLF) is
 * dropped; lines that are empty or only whitespace are not reported. Lines come in batches (one per chunk
 * read) to keep the per-line cost low.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { isUtf8 } from 'node:buffer';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { DataFormatError } from '../spec/errors.ts';

/**
 * Longest line read, in bytes: 16 MiB. The longest row of the HH dev file (harmless-base test) is about 8 KB,
 * so this leaves three orders of magnitude of room for long transcripts while capping memory per line.
 */
export const DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;

/**
 * One line of a file — its text and UTF-8 bytes (without BOM, `\r` or `\n`), or why it could not be read as
 * text. Line numbers start at 1.
 */
export type FileLine =
  | { readonly line: number; readonly text: string; readonly bytes: Buffer }
  | { readonly line: number; readonly problem: 'too-long' | 'invalid-utf8'; readonly bytes: number };

/** Options of {@link readLines}. */
export interface ReadLinesOptions {
  /** Longest line in bytes (without the newline); default {@link DEFAULT_MAX_LINE_BYTES}. */
  readonly maxLineBytes?: number;
}

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const REPLACEMENT_CHARACTER = '\uFFFD';
const NON_BLANK = /\S/; // stops at the first visible character, unlike trim(), which copies the line

/** True when the file starts with the gzip magic bytes 1f 8b. */
export async function isGzipFile(file: string): Promise<boolean> {
  const unreadable = (error: NodeJS.ErrnoException) =>
    new DataFormatError(file, undefined, `expected a readable file (${error.code ?? error.message})`, { cause: error });
  const handle = await open(file, 'r').catch((error: NodeJS.ErrnoException) => {
    throw unreadable(error);
  });
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0).catch((error: NodeJS.ErrnoException) => {
      throw unreadable(error); // e.g. EISDIR
    });
    return bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

function openDecoded(file: string, gzip: boolean): Readable {
  const source = createReadStream(file, { highWaterMark: 1 << 20 });
  if (!gzip) return source;
  const gunzip = createGunzip({ chunkSize: 1 << 20 });
  source.on('error', (error) => gunzip.destroy(error));
  return source.pipe(gunzip);
}

/**
 * One line's bytes — BOM (on line 1), `\r` and `\n` removed, not yet decoded — or a line too long to keep.
 * Blank lines are included (telling them needs the text); see {@link decodeLineText}.
 */
export type LineBytes =
  | { readonly line: number; readonly bytes: Buffer }
  | { readonly line: number; readonly problem: 'too-long'; readonly bytes: number };

/** Text of one line's bytes, or the problem with it; null for a blank line. */
export function decodeLineText(line: number, bytes: Buffer): FileLine | null {
  const text = bytes.toString('utf8');
  // Decoding replaces invalid bytes by U+FFFD; only then is the (slower) validity check needed.
  if (text.includes(REPLACEMENT_CHARACTER) && !isUtf8(bytes)) return { line, problem: 'invalid-utf8', bytes: bytes.length };
  return NON_BLANK.test(text) ? { line, text, bytes } : null;
}

function trimmed(line: number, raw: Buffer): Buffer {
  let bytes = raw;
  if (line === 1 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
  if (bytes.length > 0 && bytes[bytes.length - 1] === CARRIAGE_RETURN) bytes = bytes.subarray(0, bytes.length - 1);
  return bytes;
}

/**
 * Read the lines of a plain or gzip-compressed text file, a batch at a time, decoded to text.
 * @throws DataFormatError naming the file (and the line reached) when the file cannot be read or its gzip
 * stream is truncated or corrupt.
 */
export async function* readLines(file: string, options: ReadLinesOptions = {}): AsyncGenerator<FileLine[]> {
  for await (const lines of readLineBytes(file, options)) {
    const batch: FileLine[] = [];
    for (const entry of lines) {
      const decoded = 'problem' in entry ? entry : decodeLineText(entry.line, entry.bytes);
      if (decoded !== null) batch.push(decoded);
    }
    if (batch.length > 0) yield batch;
  }
}

/**
 * Read the lines of a plain or gzip-compressed text file as bytes, a batch at a time (the import decodes only
 * the lines its byte-level fast path cannot take).
 * @throws DataFormatError naming the file (and the line reached) when the file cannot be read or its gzip
 * stream is truncated or corrupt.
 */
export async function* readLineBytes(file: string, options: ReadLinesOptions = {}): AsyncGenerator<LineBytes[]> {
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const gzip = await isGzipFile(file);
  const stream = openDecoded(file, gzip);
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let dropping = false; // inside a line already known to be too long: its bytes are not kept
  let line = 0;

  const complete = (tail: Buffer): LineBytes => {
    line++;
    const total = pendingBytes + tail.length;
    const wasDropping = dropping;
    const parts = pending;
    pending = [];
    pendingBytes = 0;
    dropping = false;
    if (wasDropping || total > maxLineBytes) return { line, problem: 'too-long', bytes: total };
    return { line, bytes: trimmed(line, parts.length === 0 ? tail : Buffer.concat([...parts, tail])) };
  };

  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const batch: LineBytes[] = [];
      let start = 0;
      while (start < chunk.length) {
        const end = chunk.indexOf(NEWLINE, start);
        if (end === -1) {
          const rest = chunk.subarray(start);
          pendingBytes += rest.length;
          if (pendingBytes > maxLineBytes) {
            dropping = true;
            pending = [];
          } else pending.push(rest);
          break;
        }
        batch.push(complete(chunk.subarray(start, end)));
        start = end + 1;
      }
      if (batch.length > 0) yield batch;
    }
  } catch (error) {
    if (error instanceof DataFormatError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? '';
    const what = gzip
      ? `expected a complete gzip stream; it is truncated or corrupt after line ${line} (${code || (error as Error).message})`
      : `expected a readable file (${code || (error as Error).message})`;
    throw new DataFormatError(file, line + 1, what, { cause: error });
  }
  if (pendingBytes > 0 || dropping) yield [complete(Buffer.alloc(0))];
}
