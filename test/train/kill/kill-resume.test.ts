/**
 * Kill -9, for real (issue #16 item 4): `hhrl lm train`, `hhrl pm train` and `hhrl rl ppo`, each run as a
 * child process and SIGKILLed — inside its first checkpoint write (before any checkpoint exists), from
 * outside at a seeded random metrics row after a checkpoint, and (lm) inside a later checkpoint write —
 * then resumed with `--resume` each time. Every kill leaves only whole checkpoints; the next start removes
 * what the kill cut short and says so on stderr; and the resumed run ends bit for bit where an unbroken run
 * ends (same thread setting: `--threads 1`, PM at its fixed default): the final weights and optimizer state
 * byte for byte, and the metrics rows equal except wall-clock fields (rows past the checkpoint a kill
 * resumed from are dropped and written again).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Random } from '../../../src/util/random.ts';
import { generateWorld, resolveWorldConfig, writeWorld } from '../../../src/world/index.ts';
import { tempDir, tinyPolicy } from '../rl/fixtures.ts';
import { checkAfterKill, checkpointBytes, hhrl, killAtRename, killAtRow, timelessMetrics } from './kill-run.ts';

const CORPUS = fileURLToPath(new URL('../../../assets/demo-corpus.txt', import.meta.url));
const dir = tempDir('hhrl-kill-');

/** Renames (`fs.renameSync` calls) of one new checkpoint: five files, the probe for an old folder, the folder. */
const CHECKPOINT_RENAMES = 7;

/** The resumed run's final checkpoint equals the unbroken run's, byte for byte, and so do its metrics. */
function assertSameEnd(whole: string, resumed: string, finalCheckpoint: string): void {
  const a = checkpointBytes(join(whole, 'checkpoints', finalCheckpoint));
  const b = checkpointBytes(join(resumed, 'checkpoints', finalCheckpoint));
  assert.ok(a.model.equals(b.model), 'final weights are bit-identical');
  assert.ok(a.optimizer.equals(b.optimizer), 'final Adam moments are bit-identical');
  assert.deepEqual(timelessMetrics(resumed), timelessMetrics(whole));
}

test('hhrl lm train: SIGKILL in the first checkpoint write, at a random row, in a later checkpoint write; resumed ≡ unbroken', async () => {
  const random = new Random('kill:lm');
  const args = (out: string) => ['lm', 'train', '--text', CORPUS, '--out', out, '--size', 'tiny', '--vocab-size', '258', '--context', '32',
    '--batch-size', '4', '--steps', '120', '--threads', '1', '--checkpoint-every', '20', '--eval-every', '40', '--keep-checkpoints', '2'];
  const whole = join(dir, 'lm-whole');
  await hhrl(args(whole));
  const killed = join(dir, 'lm-killed');
  // 1) killed inside the first checkpoint write (rename 1 is config.json): no checkpoint exists yet
  const first = 2 + random.int(CHECKPOINT_RENAMES);
  await killAtRename(args(killed), first);
  let after = checkAfterKill(killed);
  assert.deepEqual(after.steps, [], `killed at rename ${first}, inside the first checkpoint write`);
  assert.equal(after.leftovers.length, 1, 'the unfinished checkpoint is a staging folder, never a checkpoint');
  // 2) resumed (it starts over, cleaning up), killed from outside at a random row after a checkpoint
  const row = random.range(25, 70);
  const second = await killAtRow([...args(killed), '--resume'], killed, row);
  assert.match(second.stderr, new RegExp(`hhrl: removed .*${after.leftovers[0].replace(/[.]/g, '\\.')} \\(a write cut short by a kill\\)`));
  after = checkAfterKill(killed);
  assert.ok(after.steps.length > 0 && after.steps.at(-1)! < 120, `killed at row ≥ ${row}, after checkpoint ${after.steps.at(-1)}`);
  // 3) resumed, killed inside its first or second checkpoint write (its rename 1 is the metrics truncation)
  const written = random.int(2); // checkpoints this process finishes before the one it is killed in
  const third = 2 + written * CHECKPOINT_RENAMES + random.int(CHECKPOINT_RENAMES);
  await killAtRename([...args(killed), '--resume'], third);
  const before = after.steps.at(-1)!;
  after = checkAfterKill(killed);
  assert.equal(after.leftovers.length, 1, `killed at rename ${third}, inside a checkpoint write`);
  assert.equal(after.steps.at(-1), before + 20 * written, `resumed at ${before}, the newest whole checkpoint is the last one finished`);
  // 4) resumed to the end
  const last = await hhrl([...args(killed), '--resume']);
  assert.match(last.stderr, /hhrl: removed .*staging/);
  assert.deepEqual(readdirSync(join(killed, 'checkpoints')).filter((name) => name.startsWith('.')), [], 'nothing is left over');
  assertSameEnd(whole, killed, '00000120');
});

test('hhrl pm train: SIGKILL in the first best-weights write, then at a random row; resumed ≡ unbroken', async () => {
  const random = new Random('kill:pm');
  const world = join(dir, 'pm-world');
  writeWorld(generateWorld(resolveWorldConfig(3, 'small')), world);
  const config = join(dir, 'pm-config.json');
  writeFileSync(config, JSON.stringify({
    seed: 9, model: { size: 'tiny', layers: 1, dModel: 16, heads: 2, context: 64 }, tokenizer: { vocabSize: 320 }, steps: 40, batchPairs: 8,
    evalEvery: 5, checkpointEvery: 8, logEvery: 1, maxValidationPairs: 24, patience: null,
  }));
  const args = (out: string) => ['pm', 'train', '--data', `world:${world}:harmless`, '--config', config, '--out', out];
  const whole = join(dir, 'pm-whole');
  await hhrl(args(whole));
  const killed = join(dir, 'pm-killed');
  // 1) killed while step 5's validation writes best/ (three files, the old-folder probe, the folder): before any checkpoint
  const first = 2 + random.int(5);
  await killAtRename(args(killed), first);
  assert.deepEqual(checkAfterKill(killed).steps, []);
  const staged = readdirSync(join(killed, 'best')).filter((name) => name.startsWith('.'));
  assert.equal(staged.length, 1, `killed at rename ${first}, inside the best-weights write`);
  // 2) resumed, killed from outside at a random row after a checkpoint
  const row = random.range(12, 30);
  const second = await killAtRow([...args(killed), '--resume'], killed, row);
  assert.match(second.stderr, /hhrl: removed .*best.*staging.* \(a write cut short by a kill\)/);
  const after = checkAfterKill(killed);
  assert.ok(after.steps.length > 0 && after.steps.at(-1)! < 40, `killed at row ≥ ${row}, after checkpoint ${after.steps.at(-1)}`);
  // 3) resumed to the end: the kept model, its summary and the metrics equal the unbroken run's
  await hhrl([...args(killed), '--resume']);
  const model = (run: string) => readFileSync(join(run, 'model', 'model.safetensors'));
  assert.ok(model(killed).equals(model(whole)), 'the kept model is bit-identical');
  const summary = (run: string) => {
    const { seconds: _seconds, pairsPerSecond: _rate, ...rest } = JSON.parse(readFileSync(join(run, 'summary.json'), 'utf8')) as Record<string, unknown>;
    return rest;
  };
  assert.deepEqual(summary(killed), summary(whole));
  assert.deepEqual(timelessMetrics(killed), timelessMetrics(whole));
  assert.deepEqual(readdirSync(join(killed, 'best')), readdirSync(join(whole, 'best')));
});

test('hhrl rl ppo: SIGKILL in the first checkpoint write, then at a random row; resumed ≡ unbroken', async () => {
  const random = new Random('kill:ppo');
  const world = join(dir, 'ppo-world');
  writeWorld(generateWorld(resolveWorldConfig(5, 'small')), world);
  tinyPolicy(join(dir, 'ppo-base'));
  const args = (out: string) => ['rl', 'ppo', '--policy', join(dir, 'ppo-base'), '--prompts', `world:${world}`, '--reward', 'oracle', '--out', out,
    '--steps', '8', '--batch-size', '8', '--mini-batch-size', '4', '--eval-per-set', '1', '--eval-every', '0', '--checkpoint-every', '2',
    '--max-prompt-tokens', '24', '--max-new-tokens', '8', '--threads', '1'];
  const whole = join(dir, 'ppo-whole');
  await hhrl(args(whole));
  const killed = join(dir, 'ppo-killed');
  // 1) killed inside the first checkpoint write (after the step-0 evaluation row): no checkpoint exists yet
  const first = 2 + random.int(CHECKPOINT_RENAMES);
  await killAtRename(args(killed), first);
  const leftovers = checkAfterKill(killed);
  assert.deepEqual(leftovers.steps, []);
  assert.equal(leftovers.leftovers.length, 1, `killed at rename ${first}, inside the first checkpoint write`);
  // 2) resumed (it starts over), killed from outside at a random row after a checkpoint (rows: eval at 0, then one per iteration)
  const row = random.range(4, 6);
  const second = await killAtRow([...args(killed), '--resume'], killed, row);
  assert.match(second.stderr, /hhrl: removed .*staging.* \(a write cut short by a kill\)/);
  const after = checkAfterKill(killed);
  assert.ok(after.steps.length > 0 && after.steps.at(-1)! < 8, `killed at row ≥ ${row}, after checkpoint ${after.steps.at(-1)}`);
  // 3) resumed to the end
  await hhrl([...args(killed), '--resume']);
  assertSameEnd(whole, killed, '00000008');
  const summary = (run: string) => {
    const { final, ...rest } = JSON.parse(readFileSync(join(run, 'summary.json'), 'utf8')) as { final: Record<string, unknown> };
    return { ...rest, final: Object.fromEntries(Object.entries(final).filter(([key]) => !key.endsWith('_s'))) };
  };
  assert.deepEqual(summary(killed), summary(whole));
});
