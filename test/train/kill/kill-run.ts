/**
 * Helpers of the SIGKILL tests: run `hhrl` as a child process to its end, kill it from outside once its
 * metrics log reaches a chosen row, or let it kill itself inside an atomic write (`kill-child.ts`); then
 * look at what the kill left: every finished checkpoint must load whole.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCheckpoint } from '../../../src/model/checkpoint.ts';
import { RunFolder } from '../../../src/train/run-folder.ts';

const MAIN = fileURLToPath(new URL('../../../src/cli/main.ts', import.meta.url));
const KILL_CHILD = fileURLToPath(new URL('./kill-child.ts', import.meta.url));

/** How a child process ended. */
export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(script: string, args: readonly string[], watch?: (stop: () => void) => void): Promise<Exit> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let timer: NodeJS.Timeout | undefined;
  if (watch) timer = setInterval(() => watch(() => child.kill('SIGKILL')), 5);
  return new Promise((resolve) =>
    child.on('close', (code, signal) => {
      clearInterval(timer);
      resolve({ code, signal, stdout, stderr });
    }),
  );
}

/** Run `hhrl ARGS` to its end; fails the test unless it exits 0. */
export async function hhrl(args: readonly string[]): Promise<Exit> {
  const exit = await run(MAIN, args);
  assert.equal(exit.code, 0, `hhrl ${args.slice(0, 2).join(' ')} exited ${exit.code} (${exit.signal}): ${exit.stderr}`);
  return exit;
}

/** Rows in a metrics.jsonl now (complete lines). */
function rowsIn(path: string): number {
  if (!existsSync(path)) return 0;
  const text = readFileSync(path, 'utf8');
  let rows = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) rows++;
  return rows;
}

/**
 * Run `hhrl ARGS` and SIGKILL it from outside as soon as the run folder has a finished checkpoint and its
 * metrics.jsonl at least `rows` rows (polled every 5 ms, so the kill lands wherever the run then is).
 */
export async function killAtRow(args: readonly string[], runDir: string, rows: number): Promise<Exit> {
  const folder = new RunFolder(runDir);
  const exit = await run(MAIN, args, (stop) => {
    if (rowsIn(folder.metricsPath) >= rows && folder.checkpointSteps().length > 0) stop();
  });
  assert.equal(exit.signal, 'SIGKILL', `the run should have been killed at metrics row ${rows}: exit ${exit.code}, ${exit.stderr}`);
  return exit;
}

/** Run `hhrl ARGS` in a child that SIGKILLs itself just before its `rename`-th `fs.renameSync` (inside an atomic write). */
export async function killAtRename(args: readonly string[], rename: number): Promise<Exit> {
  const exit = await run(KILL_CHILD, [String(rename), ...args]);
  assert.equal(exit.signal, 'SIGKILL', `the run should have killed itself at rename ${rename}: exit ${exit.code}, ${exit.stderr}`);
  return exit;
}

/**
 * After a kill: every finished checkpoint (`checkpoints/<step>/`) loads whole, with optimizer and trainer
 * state; returns the names of unfinished writes the kill left in `checkpoints/` (staging folders, temp files).
 */
export function checkAfterKill(runDir: string): { steps: number[]; leftovers: string[] } {
  const folder = new RunFolder(runDir);
  const steps = folder.checkpointSteps();
  for (const step of steps) {
    const checkpoint = loadCheckpoint(folder.checkpointDir(step));
    assert.ok(checkpoint.optimizer !== undefined && checkpoint.trainer !== undefined, `checkpoint ${step} has its optimizer and trainer state`);
  }
  const leftovers = existsSync(folder.checkpointsDir) ? readdirSync(folder.checkpointsDir).filter((name) => name.startsWith('.')) : [];
  return { steps, leftovers };
}

/** A run's metrics rows without the wall-clock fields (`*_s`, `tokens_per_s`, `pairs_per_second`). */
export function timelessMetrics(runDir: string): Record<string, unknown>[] {
  return new RunFolder(runDir)
    .metricRows()
    .map((row) => Object.fromEntries(Object.entries(row).filter(([key]) => !key.endsWith('_s') && key !== 'pairs_per_second')));
}

/** The bytes of a checkpoint's weights and optimizer state. */
export function checkpointBytes(dir: string): { model: Buffer; optimizer: Buffer } {
  return { model: readFileSync(join(dir, 'model.safetensors')), optimizer: readFileSync(join(dir, 'optimizer.safetensors')) };
}
