/**
 * `runTensionExperiment` (Bai et al. 2022 §4.1) on a small world with a one-layer PM and 30 steps: the three
 * arms train on exactly their task's comparisons, are scored on every held-out comparison of each task, report
 * gold accuracies that are shares of those counts, show the paper's tension (each single-task PM below chance
 * on the other task, the mixture well above it on both), keep one run folder per arm, and a resume over the
 * finished folders gives the same numbers without training again.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTensionExperiment, TENSION_ARMS, type TensionArm } from '../../src/eval/experiments/tension.ts';
import { generateWorld, resolveWorldConfig, writeWorld } from '../../src/world/index.ts';

const root = mkdtempSync(join(tmpdir(), 'hhrl-tension-'));
const worldDir = join(root, 'world');
writeWorld(generateWorld(resolveWorldConfig(5, 'small')), worldDir);
after(() => rmSync(root, { recursive: true, force: true }));

/** Lines of a world comparisons file, how many the oracle does not tie (gold `chosen` or `rejected`), its families. */
function counted(task: 'helpful' | 'harmless', split: 'train' | 'test'): { rows: number; gold: number; families: string[] } {
  const lines = (name: string) => readFileSync(join(worldDir, 'comparisons', name), 'utf8').split('\n').filter((line) => line !== '');
  const meta = lines(`${task}-${split}.meta.jsonl`).map((line) => JSON.parse(line) as { gold: string | null; family: string });
  return { rows: lines(`${task}-${split}.jsonl`).length, gold: meta.filter((row) => row.gold === 'chosen' || row.gold === 'rejected').length, families: [...new Set(meta.map((row) => row.family))].sort() };
}

// Sized so the paper's effect shows in ~10 s: measured with training seeds 1, 2, 3 and 7 on this world,
// helpful-only scored 0.175–0.21 on the harmless test set and harmless-only 0.24–0.41 on the helpful one, each
// 0.86–0.96 on its own task, the mixture 0.74–0.81 (helpful) and 0.85–0.92 (harmless).
const CONFIG = {
  seed: 2,
  model: { size: 'tiny', layers: 1, dModel: 32, heads: 2, context: 96 },
  tokenizer: { kind: 'bytes' },
  optimizer: { learningRate: 3e-3, warmupSteps: 5 },
  steps: 30,
  batchPairs: 16,
  evalEvery: 10,
  checkpointEvery: 10,
  maxValidationPairs: 32,
  patience: null,
} as const;

test('tension: three arms on their own data, scored on both test sets, in resumable run folders', async () => {
  const runDir = join(root, 'runs');
  const progress = new Map<TensionArm, number>();
  const result = await runTensionExperiment(worldDir, CONFIG, { runDir, onProgress: (arm, p) => progress.set(arm, p.step) });

  assert.deepEqual(Object.keys(TENSION_ARMS), ['helpful_only', 'harmless_only', 'mixed']);
  assert.deepEqual(Object.keys(result).sort(), ['config', 'harmless_only', 'helpful_only', 'mixed', 'test_pairs', 'world']);
  assert.equal(result.world, worldDir);
  assert.deepEqual([...progress], [['helpful_only', 30], ['harmless_only', 30], ['mixed', 30]], 'each arm ran its 30 steps, in order');
  assert.equal(result.config.steps, 30);
  assert.equal(result.config.model.dModel, 32);

  // what each arm trained on and was scored on, counted from the world's files
  const train = { helpful: counted('helpful', 'train'), harmless: counted('harmless', 'train') };
  const test = { helpful: counted('helpful', 'test'), harmless: counted('harmless', 'test') };
  assert.deepEqual(result.test_pairs, { helpful: test.helpful.rows, harmless: test.harmless.rows });
  assert.equal(result.helpful_only.train_pairs, train.helpful.rows);
  assert.equal(result.harmless_only.train_pairs, train.harmless.rows);
  assert.equal(result.mixed.train_pairs, train.helpful.rows + train.harmless.rows);

  const parameters = new Set<number>();
  for (const arm of Object.keys(TENSION_ARMS) as TensionArm[]) {
    const cell = result[arm];
    for (const task of ['helpful', 'harmless'] as const) {
      const accuracy = cell[task];
      assert.ok(accuracy >= 0 && accuracy <= 1, `${arm} on ${task}: ${accuracy}`);
      // a gold accuracy is a share of the test pairs with a gold label
      const hits = accuracy * test[task].gold;
      assert.ok(Math.abs(hits - Math.round(hits)) < 1e-9, `${arm} on ${task}: ${accuracy} × ${test[task].gold} is not a count`);
      assert.deepEqual(Object.keys(cell.by_family[task]).sort(), test[task].families, `${arm}: one entry per family of the ${task} test set`);
      for (const value of Object.values(cell.by_family[task])) assert.ok(value === null || (value >= 0 && value <= 1));
    }
    assert.equal(cell.summary.stepsRun, 30);
    assert.ok(cell.summary.validation !== null && Number.isFinite(cell.summary.validation.loss), `${arm} validated`);
    parameters.add(cell.summary.parameters);
    // the run folder of the arm: config, metrics, the kept model and the summary written last
    for (const entry of ['config.json', 'metrics.jsonl', 'checkpoints/00000030', 'summary.json', 'model']) assert.ok(existsSync(join(runDir, arm, entry)), `${arm}/${entry}`);
    const saved = JSON.parse(readFileSync(join(runDir, arm, 'config.json'), 'utf8')) as { mix: unknown; steps: number };
    assert.deepEqual([saved.mix, saved.steps], [TENSION_ARMS[arm].mix, 30], `${arm}: the folder records the arm's task mix`);
  }
  assert.equal(parameters.size, 1, 'the three PMs have the same shape');

  // the paper's finding (Fig. 6): a single-task PM is worse than chance on the other task, the mixture good on both
  assert.ok(result.helpful_only.helpful > 0.8 && result.harmless_only.harmless > 0.8, 'each single-task PM learns its own task');
  assert.ok(result.helpful_only.harmless < 0.35, `helpful-only on harmless: ${result.helpful_only.harmless}`);
  assert.ok(result.harmless_only.helpful < 0.5, `harmless-only on helpful: ${result.harmless_only.helpful}`);
  assert.ok(result.mixed.helpful > 0.7 && result.mixed.harmless > 0.7, `mixed: ${result.mixed.helpful}, ${result.mixed.harmless}`);

  // resuming the finished folders trains nothing and reproduces every number; a fresh start is refused
  const metrics = join(runDir, 'mixed', 'metrics.jsonl');
  const before = statSync(metrics).mtimeMs;
  const again = await runTensionExperiment(worldDir, CONFIG, { runDir, resume: true });
  for (const arm of Object.keys(TENSION_ARMS) as TensionArm[]) {
    assert.deepEqual([again[arm].helpful, again[arm].harmless, again[arm].by_family], [result[arm].helpful, result[arm].harmless, result[arm].by_family], arm);
  }
  assert.equal(statSync(metrics).mtimeMs, before, 'no new metrics were written');
  await assert.rejects(runTensionExperiment(worldDir, CONFIG, { runDir }), /already holds a finished run/);
});
