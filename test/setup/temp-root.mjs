/**
 * Loaded into every test process (`npm test` passes `--import` before `--test`): points `TMPDIR` at a folder of
 * this process's own and removes it when the process exits, so the temporary folders tests make (and the CLIs
 * they spawn, which inherit `TMPDIR`) never outlive the run — a failing test's included, as long as its process
 * exits. `os.tmpdir()` reads `TMPDIR` on every call. The folder is world-writable with the sticky bit, as `/tmp`
 * is (a test's PostgreSQL runs initdb as another user). tsx keeps its compile cache at `<tmpdir>/tsx-<uid>`; the
 * folder links to the shared one, so spawned CLIs start warm. Plain JavaScript, and nothing in worker threads: a
 * worker inherits `--import` but not always tsx's loader, and shares its process's folder.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import process from 'node:process';
import { isMainThread } from 'node:worker_threads';

if (isMainThread) {
  const shared = tmpdir();
  const root = mkdtempSync(join(shared, 'hhrl-test-'));
  chmodSync(root, 0o1777);
  const tsxCache = `tsx-${process.geteuid?.() ?? userInfo().username}`;
  if (!existsSync(join(shared, tsxCache))) mkdirSync(join(shared, tsxCache), { recursive: true });
  symlinkSync(join(shared, tsxCache), join(root, tsxCache));
  process.env.TMPDIR = root;
  process.on('exit', () => rmSync(root, { recursive: true, force: true }));
}
