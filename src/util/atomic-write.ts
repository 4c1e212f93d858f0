/**
 * Atomic file writes: write to a temp file in the same folder, fsync it, rename over the target,
 * fsync the folder. A reader sees the old file or the new one, never a partial one.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';

let counter = 0;

/** Write `data` to `path` atomically (temp file + fsync + rename). Creates the parent folder. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const folder = dirname(path);
  mkdirSync(folder, { recursive: true });
  const temp = join(folder, `.${basename(path)}.${process.pid}.${counter++}.tmp`);
  const fd = openSync(temp, 'w');
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let offset = 0;
    while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    rmSync(temp, { force: true });
    throw error;
  }
  closeSync(fd);
  renameSync(temp, path);
  syncFolder(folder);
}

/** Atomically replace folder `target` by the finished folder `staged` (both on one file system). */
export function replaceFolderAtomic(staged: string, target: string): void {
  const old = `${target}.old-${process.pid}-${counter++}`;
  let moved = false;
  try {
    renameSync(target, old);
    moved = true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  renameSync(staged, target);
  if (moved) rmSync(old, { recursive: true, force: true });
  syncFolder(dirname(target));
}

function syncFolder(folder: string): void {
  try {
    const fd = openSync(folder, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some file systems do not allow fsync on a directory; the rename is still atomic.
  }
}
