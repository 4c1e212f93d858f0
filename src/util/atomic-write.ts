/**
 * Atomic file writes: write to a temp file in the same folder, fsync it, rename over the target,
 * fsync the folder. A reader sees the old file or the new one, never a partial one.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
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

/**
 * A fresh staging folder name beside `target` (`.NAME.staging-PID-TIME`), which {@link recoverFolder}
 * recognises as unfinished after a kill.
 */
export function stagingPath(target: string): string {
  return join(dirname(target), `.${basename(target)}.staging-${process.pid}-${Date.now()}`);
}

/**
 * Atomically replace folder `target` by the finished folder `staged` (both on one file system). The staged
 * folder itself is fsynced first (its files must already be: write them with {@link writeFileAtomic}); a kill
 * between the two renames leaves `target.old-PID-N`, which {@link recoverFolder} renames back.
 */
export function replaceFolderAtomic(staged: string, target: string): void {
  syncFolder(staged);
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

const STAGING = /^\.(.+)\.staging-\d+-\d+$/;
const OLD = /^(.+)\.old-\d+-\d+$/;
const TEMP = /^\.(.+)\.\d+\.\d+\.tmp$/;

/**
 * The name a staging folder, temp file or `.old-*` folder left by a killed writer was for (`model` for
 * `model.old-12-3`), or undefined when `name` is none of those.
 */
export function leftoverOf(name: string): string | undefined {
  return (STAGING.exec(name) ?? TEMP.exec(name) ?? OLD.exec(name))?.[1];
}

/**
 * Clean up what a killed writer left in `folder` (not recursive): staging folders and temp files of
 * unfinished writes are removed; a `NAME.old-PID-N` folder is renamed back to `NAME` when the kill came
 * between the two renames of {@link replaceFolderAtomic} (so `NAME` is missing), else removed.
 * @returns one line per path it removed or restored, for the run's log.
 */
export function recoverFolder(folder: string): string[] {
  if (!existsSync(folder) || !statSync(folder).isDirectory()) return [];
  const notes: string[] = [];
  for (const name of readdirSync(folder).sort()) {
    const path = join(folder, name);
    if (STAGING.test(name)) {
      rmSync(path, { recursive: true, force: true });
      notes.push(`removed ${path} (a write cut short by a kill)`);
    } else if (TEMP.test(name)) {
      rmSync(path, { force: true });
      notes.push(`removed ${path} (a write cut short by a kill)`);
    } else {
      const old = OLD.exec(name);
      if (old === null) continue;
      const target = join(folder, old[1]);
      if (existsSync(target)) {
        rmSync(path, { recursive: true, force: true });
        notes.push(`removed ${path} (replaced by ${target})`);
      } else {
        renameSync(path, target);
        notes.push(`restored ${target} from ${path} (its replacement was cut short by a kill)`);
      }
    }
  }
  if (notes.length > 0) syncFolder(folder);
  return notes;
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
