/**
 * Preference-model training on HH-world comparisons: a short run beats chance on held-out (test-entity)
 * pairs by a stated margin, its loss falls and every parameter changes; a killed run resumed from its
 * checkpoint ends exactly where the uninterrupted run ends, and the shared resume rule holds (a changed setting is
 * named, other data and a checkpoint without optimizer state are refused).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveWorldConfig } from '../../src/world/config.ts';
import { generateWorld, writeWorld } from '../../src/world/generate.ts';
import { loadPairs } from '../../src/data/specs/preference-pairs.ts';
import { createPreferenceModel, trainPreferenceModel, type PmProgress } from '../../src/train/preference/pm-trainer.ts';
import { parsePmTrainConfig } from '../../src/train/preference/pm-config.ts';
import { PreferenceScorer } from '../../src/train/preference/pm-scorer.ts';
import { evaluatePreferenceModel } from '../../src/eval/pm-eval.ts';
import { CheckpointError, ConfigError } from '../../src/spec/errors.ts';
import { TrainingAborted } from '../../src/train/common/training-aborted.ts';
import { RunFolder } from '../../src/train/run-folder.ts';
import { GptModel } from '../../src/model/gpt-model.ts';

const root = mkdtempSync(join(tmpdir(), 'hhrl-pm-'));
const worldDir = join(root, 'world');
writeWorld(generateWorld(resolveWorldConfig(3, 'small')), worldDir);

test('a short PM training beats chance on held-out world pairs by ≥ 20 points; loss falls; every parameter changes', async () => {
  const { pairs } = await loadPairs([`world:${worldDir}`]);
  const { pairs: heldOut } = await loadPairs([`world:${worldDir}:test`]);
  const losses: number[] = [];
  const config = {
    seed: 5,
    model: { size: 'tiny', layers: 1, dModel: 32, heads: 2, context: 96 },
    tokenizer: { vocabSize: 600 },
    optimizer: { learningRate: 3e-3, warmupSteps: 10 },
    steps: 150,
    evalEvery: 50,
    patience: null,
  } as const;
  const init = createPreferenceModel(parsePmTrainConfig(config), pairs);
  const initial = Float32Array.from(init.params);
  const { model, scorer, summary } = await trainPreferenceModel(config, pairs, { init, onProgress: (p: PmProgress) => losses.push(p.loss) });
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  assert.ok(mean(losses.slice(-20)) < mean(losses.slice(0, 20)) - 0.15, `loss ${mean(losses.slice(0, 20))} → ${mean(losses.slice(-20))}`);
  const report = await evaluatePreferenceModel(scorer, heldOut);
  assert.equal(report.n, 400);
  assert.ok(report.gold_accuracy! >= 0.7, `gold accuracy on held-out pairs ${report.gold_accuracy} (chance 0.5)`);
  assert.ok(report.accuracy! >= 0.62, `label accuracy ${report.accuracy}`);
  assert.equal(summary.validation?.pairs, 160);
  // throughput counts training steps only: faster than all pairs over the whole run's seconds (setup, validation)
  const wholeRun = (summary.stepsRun * parsePmTrainConfig(config).batchPairs) / summary.seconds;
  assert.ok(summary.pairsPerSecond > wholeRun, `pairs/s ${summary.pairsPerSecond} vs whole run ${wholeRun}`);
  for (const entry of model.layout.entries) {
    const before = model.layout.view(initial, entry.name);
    const after = model.layout.view(model.params, entry.name);
    assert.ok(before.some((value, i) => value !== after[i]), `parameter ${entry.name} did not change`);
  }
  await scorer.release();
});

/** A one-layer PM small enough for resume tests. */
const TINY_PM = {
  seed: 9,
  model: { size: 'tiny', layers: 1, dModel: 16, heads: 2, context: 64 },
  tokenizer: { vocabSize: 320 },
  batchPairs: 8,
  maxValidationPairs: 24,
} as const;

test('a killed run resumed from its checkpoint ends exactly like the uninterrupted run', async () => {
  const { pairs } = await loadPairs([`world:${worldDir}:harmless`]);
  const config = { ...TINY_PM, steps: 12, evalEvery: 3, checkpointEvery: 4, patience: null } as const;
  const timeless = (dir: string) =>
    readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((line) => {
      const { pairs_per_second: _, ...rest } = JSON.parse(line) as Record<string, unknown>;
      return rest;
    });
  const whole = join(root, 'whole');
  const uninterrupted = await trainPreferenceModel(config, pairs, { runDir: whole });

  const killed = join(root, 'killed');
  const controller = new AbortController();
  const partial = trainPreferenceModel(config, pairs, {
    runDir: killed,
    signal: controller.signal,
    onProgress: (progress) => progress.step === 6 && controller.abort(), // dies after step 6; last checkpoint: 4
  });
  await assert.rejects(partial, (error) => error instanceof TrainingAborted && error.step === 6);
  await assert.rejects(trainPreferenceModel(config, pairs, { runDir: killed }), /pass --resume/);
  // the resume rule: a stated setting that differs is named (a PM run resumes nothing, not even steps), other data is refused
  await assert.rejects(
    trainPreferenceModel({ ...config, steps: 13, batchPairs: 4 }, pairs, { runDir: killed, resume: true }),
    (error) => error instanceof ConfigError && /differs from this one in batchPairs \(saved 8, now 4\), steps \(saved 12, now 13\)/.test(error.message),
  );
  await assert.rejects(trainPreferenceModel(config, pairs.slice(1), { runDir: killed, resume: true }), (error) => error instanceof ConfigError && /training data differs/.test(error.message));
  // a checkpoint without its optimizer state cannot be resumed exactly: an error, not a fresh AdamW
  const stripped = join(root, 'stripped');
  cpSync(killed, stripped, { recursive: true });
  rmSync(join(new RunFolder(stripped).latestCheckpoint()!.dir, 'optimizer.safetensors'));
  await assert.rejects(trainPreferenceModel(config, pairs, { runDir: stripped, resume: true }), (error) => error instanceof CheckpointError && /no optimizer state/.test(error.message));
  // settings left unstated come from config.json
  const resumed = await trainPreferenceModel({}, pairs, { runDir: killed, resume: true });

  assert.deepEqual(resumed.model.params, uninterrupted.model.params);
  assert.deepEqual(timeless(killed), timeless(whole));
  const { seconds: _a, pairsPerSecond: _b, ...summaryWhole } = uninterrupted.summary;
  const { seconds: _c, pairsPerSecond: _d, ...summaryResumed } = resumed.summary;
  assert.deepEqual(summaryResumed, summaryWhole);
  // the saved model scores like the one in memory, through the scorer used for RL
  const loaded = PreferenceScorer.load(killed);
  const texts = pairs.slice(0, 5).map((pair) => pair.chosen);
  assert.deepEqual(await loaded.scoreTexts(texts), await resumed.scorer.scoreTexts(texts));
  await loaded.release();
  // resuming a finished run trains nothing: it returns the kept model and summary.json
  const finished = await trainPreferenceModel({}, pairs, { runDir: killed, resume: true });
  assert.deepEqual(finished.summary, resumed.summary);
  assert.deepEqual(finished.model.params, resumed.model.params);
});

test('a run killed after the checkpoint of its early stop (before summary.json) resumes to the same summary, training no further', async () => {
  const { pairs } = await loadPairs([`world:${worldDir}:harmless`]);
  const config = { ...TINY_PM, steps: 60, evalEvery: 2, checkpointEvery: 100, patience: 1, optimizer: { learningRate: 0.05 } } as const;
  const runDir = join(root, 'early-stop');
  const first = await trainPreferenceModel(config, pairs, { runDir });
  assert.equal(first.summary.stoppedEarly, true, 'the run stops early at this seed');
  assert.ok(first.summary.stepsRun < 60);
  // the kill came after the stop's checkpoint, before model/ and summary.json were written
  rmSync(join(runDir, 'summary.json'));
  rmSync(join(runDir, 'model'), { recursive: true });
  const resumed = await trainPreferenceModel(config, pairs, { runDir, resume: true });
  const { seconds: _a, pairsPerSecond: _b, ...expected } = first.summary;
  const { seconds: _c, pairsPerSecond: _d, ...actual } = resumed.summary;
  assert.deepEqual(actual, expected);
  assert.deepEqual(resumed.model.params, first.model.params);
});

test("keep 'last' trains every step and keeps the last step's weights and validation; a run killed before summary.json resumes to the same", async () => {
  const { pairs } = await loadPairs([`world:${worldDir}:harmless`]);
  const config = { ...TINY_PM, steps: 16, evalEvery: 2, checkpointEvery: 8, patience: null, optimizer: { learningRate: 0.05 } } as const;
  const bestDir = join(root, 'keep-best');
  const best = await trainPreferenceModel(config, pairs, { runDir: bestDir });
  assert.ok(best.summary.keptStep < 16, 'at this learning rate the best validation comes before the last step');
  const lastDir = join(root, 'keep-last');
  const last = await trainPreferenceModel({ ...config, keep: 'last' }, pairs, { runDir: lastDir });
  assert.equal(last.summary.keptStep, 16);
  assert.equal(last.summary.stepsRun, 16);
  // the same training as the keep-best run: its weights are that run's last checkpoint, its validation the last row's
  assert.deepEqual(last.model.params, GptModel.load(new RunFolder(bestDir).latestCheckpoint()!.dir).model.params);
  const rows = readFileSync(join(lastDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, number>);
  const lastValidation = rows.filter((row) => row.validation_loss !== undefined).at(-1)!;
  assert.equal(lastValidation.step, 16);
  assert.deepEqual(last.summary.validation, { loss: lastValidation.validation_loss, accuracy: lastValidation.validation_accuracy, pairs: lastValidation.validation_pairs });
  assert.notDeepEqual(last.summary.validation, best.summary.validation);
  assert.equal(existsSync(join(lastDir, 'best')), false, 'no best/ weights are kept');
  // killed after the last checkpoint, before model/ and summary.json: resumed, it validates once more and ends the same
  rmSync(join(lastDir, 'summary.json'));
  rmSync(join(lastDir, 'model'), { recursive: true });
  const resumed = await trainPreferenceModel({ keep: 'last', patience: null }, pairs, { runDir: lastDir, resume: true });
  const { seconds: _a, pairsPerSecond: _b, ...expected } = last.summary;
  const { seconds: _c, pairsPerSecond: _d, ...actual } = resumed.summary;
  assert.deepEqual(actual, expected);
  assert.deepEqual(resumed.model.params, last.model.params);
  // resuming with early stopping's keep is refused by name; keep 'last' with patience is refused as a setting
  await assert.rejects(trainPreferenceModel({ keep: 'best', patience: null }, pairs, { runDir: lastDir, resume: true }), (error) => error instanceof ConfigError && /keep \(saved "?last"?, now "?best"?\)/.test(error.message));
  assert.throws(() => parsePmTrainConfig({ keep: 'last' }), (error) => error instanceof ConfigError && /keep/.test(error.message) && /patience/.test(error.message));
});
