/**
 * Child process of the SIGKILL tests (not a test itself): runs `hhrl ARGS…` in this process and kills
 * itself with SIGKILL — no cleanup, no finally blocks — at its N-th `fs.renameSync`, i.e. just before
 * the N-th rename of an atomic write (a file's temp → final name, or a staged checkpoint folder → its
 * place). That puts the kill inside a checkpoint write at a chosen point, which a kill from outside hits
 * only by luck.
 *
 *   node --import tsx test/train/kill/kill-child.ts N ARGS…
 */
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';

const [at, ...args] = process.argv.slice(2);
const rename = fs.renameSync;
let calls = 0;
fs.renameSync = (from: fs.PathLike, to: fs.PathLike): void => {
  calls += 1;
  if (calls === Number(at)) process.kill(process.pid, 'SIGKILL');
  rename(from, to);
};
syncBuiltinESMExports();
const { buildProgram } = await import('../../../src/cli/main.ts');
await buildProgram().parseAsync(['node', 'hhrl', ...args]);
// reached only if the kill did not happen: the parent test fails on the exit code
process.exitCode = 3;
