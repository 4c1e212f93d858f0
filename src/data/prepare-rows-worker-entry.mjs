// Entry of the row-preparing worker thread (plain JavaScript, so a worker can always load it). A worker does
// not always get the parent's TypeScript loader (tsx registered in-process by bin/hhrl.js, or by the tsx CLI,
// is not inherited), so when loading the TypeScript body fails for that reason, register tsx here and load it
// again under a new URL (a failed import is cached per URL).
try {
  await import('./prepare-rows-worker.ts');
} catch (error) {
  if (error?.code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw error;
  const { register } = await import('tsx/esm/api');
  register();
  await import('./prepare-rows-worker.ts?tsx');
}
