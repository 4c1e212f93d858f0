/**
 * The policy-training commands end to end on a small world and a tiny byte-level policy: `hhrl sft`,
 * `hhrl rl ppo` (oracle reward, with evaluation and resume), `hhrl rl rloo`, `hhrl dpo` and `hhrl bon`,
 * each in its own process like a user runs them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateWorld, resolveWorldConfig, writeWorld } from '../../../src/world/index.ts';
import { tempDir, tinyPolicy } from './fixtures.ts';

const MAIN = fileURLToPath(new URL('../../../src/cli/main.ts', import.meta.url));

/** Run `hhrl …` in a child process (the test runner owns this process's stdout); rejects with stderr on failure. */
function hhrl(...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', MAIN, ...args], { encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error) reject(new Error(`hhrl ${args.slice(0, 2).join(' ')} exited ${String(error.code)}: ${stderr}`));
      else resolve(stdout);
    });
  });
}

const dir = tempDir('hhrl-rl-cli-');
const world = join(dir, 'world');
writeWorld(generateWorld(resolveWorldConfig(5, 'small')), world);
tinyPolicy(join(dir, 'base'));
const small = ['--max-prompt-tokens', '24', '--max-new-tokens', '8', '--threads', '1'];

test('hhrl sft → rl ppo (oracle reward, evaluation, resume) → bon', async () => {
  const sft = await hhrl('sft', '--base', join(dir, 'base'), '--data', `world:${world}`, '--out', join(dir, 'sft'), '--steps', '3', '--batch-size', '4', '--length', '40', '--max-prompt-tokens', '24', '--threads', '1');
  assert.match(sft, /SFT loss \d/);
  assert.match(sft, /validation \d/, 'world:DIR trains on the train split and validates on the test split');
  const args = ['rl', 'ppo', '--policy', join(dir, 'sft'), '--prompts', `world:${world}`, '--reward', 'oracle', '--out', join(dir, 'ppo'),
    '--batch-size', '8', '--mini-batch-size', '4', '--eval-per-set', '2', ...small];
  const first = await hhrl(...args, '--steps', '2', '--probe-prompts', '4');
  assert.match(first, /ppo: 2 iterations/);
  assert.match(first, /harmful compliance, direct/);
  await assert.rejects(hhrl(...args, '--steps', '3'), /already holds a run; pass --resume/);
  const resumed = await hhrl(...args, '--steps', '3', '--resume');
  assert.match(resumed, /ppo: 3 iterations/);
  const rows = readFileSync(join(dir, 'ppo', 'metrics.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
  assert.deepEqual(rows.filter((row) => row.kind === 'train').map((row) => row.step), [1, 2, 3]);
  // the probe was on when the run started: the resumed run keeps probing without being told again
  assert.deepEqual(rows.filter((row) => row.kind === 'probe').map((row) => row.step), [0, 1, 2, 3]);
  const evals = rows.filter((row) => row.kind === 'eval');
  assert.ok(evals.length >= 2 && evals.every((row) => row.prompts === 10), 'evaluations at start and end, 2 prompts per set');
  for (const key of ['reward', 'kl', 'sqrt_kl', 'entropy', 'clip_fraction', 'value_loss', 'response_length']) {
    assert.ok(typeof rows.find((row) => row.kind === 'train')[key] === 'number', `${key} logged`);
  }
  const summary = JSON.parse(readFileSync(join(dir, 'ppo', 'summary.json'), 'utf8'));
  assert.equal(summary.steps, 3);
  const bon = await hhrl('bon', '--policy', join(dir, 'ppo'), '--n', '2', '--prompts', `world:${world}:eval`, '--reward', 'oracle', '--limit', '6', '--batch', '8',
    '--max-prompt-tokens', '24', '--max-new-tokens', '8', '--json', join(dir, 'bon.json'), '--out', join(dir, 'bon.jsonl'));
  assert.match(bon, /best-of-2 on 6 prompts/);
  const bonSummary = JSON.parse(readFileSync(join(dir, 'bon.json'), 'utf8'));
  assert.ok(bonSummary.reward_best >= bonSummary.reward_mean);
  assert.equal(readFileSync(join(dir, 'bon.jsonl'), 'utf8').trim().split('\n').length, 12);
  // as a run folder: chunks of prompts, a summary, and --resume reads the finished chunks back
  const bonArgs = ['bon', '--policy', join(dir, 'ppo'), '--n', '2', '--prompts', `world:${world}:eval`, '--reward', 'oracle', '--limit', '6', '--batch', '8',
    '--max-prompt-tokens', '24', '--max-new-tokens', '8', '--run', join(dir, 'bon-run'), '--chunk', '4'];
  const ran = await hhrl(...bonArgs, '--json', join(dir, 'bon-run.json'));
  assert.match(ran, /best-of-2 on 6 prompts/);
  assert.deepEqual(readdirSync(join(dir, 'bon-run', 'chunks')).sort(), ['000000.jsonl', '000001.jsonl']);
  await assert.rejects(hhrl(...bonArgs), /already holds a best-of-n run; pass --resume/);
  await hhrl(...bonArgs, '--resume', '--json', join(dir, 'bon-resumed.json'));
  const unbroken = JSON.parse(readFileSync(join(dir, 'bon-run.json'), 'utf8'));
  const again = JSON.parse(readFileSync(join(dir, 'bon-resumed.json'), 'utf8'));
  assert.deepEqual({ ...again, seconds: 0 }, { ...unbroken, seconds: 0 }, 'a resumed run reports the same results');
  assert.equal(JSON.parse(readFileSync(join(dir, 'bon-run', 'summary.json'), 'utf8')).reward_best, unbroken.reward_best);
});

test('hhrl rl rloo and hhrl dpo write their run folders', async () => {
  const rloo = await hhrl('rl', 'rloo', '--policy', join(dir, 'base'), '--prompts', `world:${world}`, '--reward', 'oracle', '--out', join(dir, 'rloo'),
    '--steps', '2', '--batch-size', '8', '--mini-batch-size', '4', '--k', '2', '--eval-per-set', '1', '--ptx-coef', '0.5', '--ptx-batch', '2', ...small);
  assert.match(rloo, /rloo: 2 iterations/);
  // the ptx term (on by --ptx-coef; demonstrations default to the world's): logged, and recorded with the run
  const rlooRows = readFileSync(join(dir, 'rloo', 'metrics.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
  assert.ok(rlooRows.filter((row) => row.kind === 'train').every((row) => row.ptx_loss > 0), 'ptx_loss logged');
  const rlooConfig = JSON.parse(readFileSync(join(dir, 'rloo', 'config.json'), 'utf8'));
  assert.equal(rlooConfig.inputs.ptx, `world:${world}`);
  assert.equal(rlooConfig.config.ptxCoef, 0.5);
  const dpo = await hhrl('dpo', '--policy', join(dir, 'base'), '--data', `world:${world}:harmless:train`, '--out', join(dir, 'dpo'),
    '--steps', '2', '--batch-pairs', '2', '--max-prompt-tokens', '24', '--max-new-tokens', '16', '--eval-per-set', '1', '--threads', '1');
  assert.match(dpo, /checkpoint /);
  assert.ok(existsSync(join(dir, 'dpo', 'checkpoints', '00000002', 'model.safetensors')));
  const rows = readFileSync(join(dir, 'dpo', 'metrics.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
  assert.ok(rows.some((row) => row.kind === 'eval'), 'a world data spec also gives the oracle evaluation');
  assert.ok(rows.find((row) => row.kind === 'data').pairs > 100);
});

test('hhrl rl … --categories trains on one slice of the world\'s pool, records it, and a resume on another slice is refused', async () => {
  const args = ['rl', 'rloo', '--policy', join(dir, 'base'), '--prompts', `world:${world}`, '--reward', 'oracle', '--out', join(dir, 'rloo-cyber'),
    '--batch-size', '8', '--mini-batch-size', '4', '--k', '2', '--eval-per-set', '1', ...small];
  await assert.rejects(hhrl(...args, '--steps', '1', '--categories', 'piracy'), /--categories: no prompt of .* has the category piracy; there are .*cybercrime/);
  assert.ok(!existsSync(join(dir, 'rloo-cyber')), 'nothing written for a refused slice');
  await hhrl(...args, '--steps', '1', '--categories', 'cybercrime');
  assert.deepEqual(JSON.parse(readFileSync(join(dir, 'rloo-cyber', 'config.json'), 'utf8')).inputs.categories, ['cybercrime']);
  await assert.rejects(hhrl(...args, '--steps', '2', '--categories', 'fraud', '--resume'), /differs from this one in inputs.categories \(saved \["cybercrime"\], now \["fraud"\]\)/);
});
