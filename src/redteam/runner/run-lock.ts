/**
 * One writer per run folder. `results.jsonl` is appended to as attempts finish, so two processes on one folder
 * write every attempt they both run twice — which is what a "kill -9 then --resume" did when the kill hit a
 * launcher (`tsx`, `npm run`) and its node child went on appending beside the resumed run. The lock file names
 * the writer's pid and host; a lock whose process is gone (killed with SIGKILL) is stale and taken over, so a
 * killed run resumes at once, while a live writer makes the second run stop with a message naming it.
 */
import { closeSync, fsyncSync, linkSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { ConfigError } from '../../spec/errors.ts';

/** The lock file's name inside a run folder. */
export const RUN_LOCK_FILE = 'run.lock';

/** What a lock file holds. */
interface LockOwner {
  readonly pid: number;
  readonly host: string;
}

/** A held lock. */
export interface RunLock {
  /** Remove the lock file (only while it is still ours). */
  release(): void;
}

function readOwner(path: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockOwner>;
    return typeof owner.pid === 'number' && typeof owner.host === 'string' ? { pid: owner.pid, host: owner.host } : undefined;
  } catch {
    return undefined; // gone, or not a lock we wrote (it is written whole, by link, so never half-written by us)
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Create `path` holding `text` only if it does not exist: written to a temp file first, then hard-linked. */
function createWhole(path: string, text: string): boolean {
  const temp = join(dirname(path), `.${RUN_LOCK_FILE}.${process.pid}.tmp`);
  const fd = openSync(temp, 'w');
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(temp, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    rmSync(temp, { force: true });
  }
}

/**
 * Take the run folder's lock or fail with a `ConfigError` naming the process that holds it.
 * @example
 * const lock = acquireRunLock('runs/rt1');
 * try { … append rows … } finally { lock.release(); }
 */
export function acquireRunLock(folder: string): RunLock {
  const path = join(folder, RUN_LOCK_FILE);
  const me: LockOwner = { pid: process.pid, host: hostname() };
  for (let attempt = 0; attempt < 3; attempt++) {
    if (createWhole(path, `${JSON.stringify(me)}\n`)) {
      return {
        release: () => {
          const owner = readOwner(path);
          if (owner?.pid === me.pid && owner.host === me.host) rmSync(path, { force: true });
        },
      };
    }
    const owner = readOwner(path);
    if (owner !== undefined && owner.host !== me.host) {
      throw new ConfigError(`${path}: the run is held by process ${owner.pid} on ${owner.host}; if that run is over, delete the lock file`);
    }
    if (owner !== undefined && isAlive(owner.pid)) {
      throw new ConfigError(
        `${path}: process ${owner.pid} is still writing this run (a killed launcher such as npm or tsx can leave its node child running); stop it or wait for it, then --resume (if that process is not an hhrl run, delete the lock file)`,
      );
    }
    rmSync(path, { force: true }); // stale: its writer is gone
  }
  throw new ConfigError(`${path}: could not take the run lock (another process keeps taking it)`);
}
