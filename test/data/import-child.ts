/**
 * Child process of `import-kill.test.ts` (not a test itself): imports FILE into STORE and kills itself with
 * SIGKILL — no cleanup, no rollback — once KILL_AT rows have been written inside the import's transaction.
 *
 *   node --import tsx test/data/import-child.ts STORE FILE KILL_AT
 */
import { importFiles } from '../../src/data/import-files.ts';
import { ComparisonStore } from '../../src/data/store/comparison-store.ts';

const [storePath, file, killAt] = process.argv.slice(2);
const store = ComparisonStore.open(storePath);
await importFiles(store, [file], {
  progressEvery: 100,
  onProgress: ({ rows }) => {
    if (rows >= Number(killAt)) process.kill(process.pid, 'SIGKILL');
  },
});
// reached only if the kill did not happen: the parent test fails on the exit code
store.close();
process.exitCode = 3;
