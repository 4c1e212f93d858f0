/**
 * Trainers group steps into graph runs (`stepsPerRun`, `GraphTrainer.stepMany`): runs end exactly on
 * evaluation / checkpoint steps and at the end, and any grouping gives the same weights and metrics.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { groupedSteps, stepsThisRun, type SteppingTrainer } from '../../src/train/lm/steps-per-run.ts';
import { trainLanguageModel } from '../../src/train/lm/lm-trainer.ts';
import { trainSft } from '../../src/train/sft/sft-trainer.ts';
import { RunFolder } from '../../src/train/run-folder.ts';
import { ConfigError } from '../../src/spec/errors.ts';
import { PROMPTS, tempDir, tinyPolicy } from './rl/fixtures.ts';

test('stepsThisRun: at most perRun steps, ending on every boundary and at the end', () => {
  assert.equal(stepsThisRun(0, 100, 4, [8, 50]), 4);
  assert.equal(stepsThisRun(6, 100, 4, [8, 50]), 2);
  assert.equal(stepsThisRun(48, 100, 4, [8, 50]), 2);
  assert.equal(stepsThisRun(98, 100, 4, [7]), 2);
  assert.equal(stepsThisRun(5, 100, 1, [8]), 1);
  assert.equal(stepsThisRun(100, 100, 4, [8]), 0);
  // walking a whole run lands on each boundary
  const ends: number[] = [];
  for (let done = 0; done < 23; ) ends.push((done += stepsThisRun(done, 23, 4, [6, 10])));
  assert.deepEqual(ends, [4, 6, 10, 12, 16, 18, 20, 23]);
  assert.throws(() => stepsThisRun(0, 10, 0, []), ConfigError);
});

/** A trainer that counts steps and records which batch indices each run got (the loop's logic only). */
function countingTrainer(start: number) {
  const runs: number[][] = [];
  const trainer: SteppingTrainer & { runs: number[][] } = {
    state: { step: start },
    runs,
    async stepMany(batches) {
      runs.push(batches.map((batch) => Number((batch.index as { data: Float32Array }).data[0])));
      const results = batches.map((_, i) => ({ loss: start + i, learningRate: 1, gradNorm: 1 }));
      (trainer.state as { step: number }).step += batches.length;
      return results as never;
    },
  };
  return trainer;
}
const batchOf = (index: number) => ({ index: { dtype: 'float32', shape: [1], data: new Float32Array([index]) } }) as never;

test('groupedSteps: runs cut at boundaries, batches by step index, every step yielded in order (resumed mid-run too)', async () => {
  const trainer = countingTrainer(3);
  const seen: [number, number, number][] = [];
  for await (const { step, index, count } of groupedSteps(trainer, { total: 12, perRun: 4, every: [5] }, batchOf, (at) => new Error(`stopped ${at}`))) {
    seen.push([step, index, count]);
  }
  assert.deepEqual(trainer.runs, [[3, 4], [5, 6, 7, 8], [9], [10, 11]]);
  assert.deepEqual(seen.map(([step]) => step), [4, 5, 6, 7, 8, 9, 10, 11, 12]);
  assert.deepEqual(seen.slice(0, 3), [[4, 0, 2], [5, 1, 2], [6, 0, 4]]);
});

test('groupedSteps: a stop requested while a step is handled stops right after it, naming the last finished step', async () => {
  const trainer = countingTrainer(0);
  const controller = new AbortController();
  const steps: number[] = [];
  await assert.rejects(
    (async () => {
      for await (const { step } of groupedSteps(trainer, { total: 20, perRun: 4, every: [], signal: controller.signal }, batchOf, (at) => new Error(`stopped ${at}`))) {
        steps.push(step);
        if (step === 6) controller.abort();
      }
    })(),
    /stopped 6/,
  );
  assert.deepEqual(steps, [1, 2, 3, 4, 5, 6]);
  assert.equal(trainer.runs.length, 2, 'no further run starts');
  controller.abort();
  await assert.rejects(
    (async () => {
      for await (const item of groupedSteps(countingTrainer(2), { total: 20, perRun: 4, every: [], signal: controller.signal }, batchOf, (at) => new Error(`stopped ${at}`))) void item;
    })(),
    /stopped 2/,
    'already stopped: nothing runs',
  );
});

/** Metric rows without the wall-clock column. */
function metricRows(dir: string): Record<string, number>[] {
  return readFileSync(new RunFolder(dir).metricsPath, 'utf8')
    .trim()
    .split('\n')
    .map((line) => {
      const { tokens_per_s: _, ...row } = JSON.parse(line) as Record<string, number>;
      return row;
    });
}

test('lm train: 4 steps per graph run ≡ 1 step per run (weights, metrics, checkpoints)', async () => {
  const dir = tempDir('hhrl-lm-runs-');
  const corpus = join(dir, 'corpus.txt');
  writeFileSync(corpus, readFileSync(new URL('../../assets/demo-corpus.txt', import.meta.url), 'utf8'));
  // boundaries (6, 10, 23) that 4 does not divide: runs of 4, 2, 3, … steps
  const settings = { text: corpus, size: 'tiny' as const, context: 32, vocabSize: 300, steps: 23, batchSize: 4, checkpointEvery: 10, evalEvery: 6, seed: 5, threads: 1 };
  const one = await trainLanguageModel({ ...settings, stepsPerRun: 1 }, join(dir, 'one'));
  const four = await trainLanguageModel({ ...settings, stepsPerRun: 4 }, join(dir, 'four'));
  assert.deepEqual(Array.from(four.model.params), Array.from(one.model.params));
  const rows = metricRows(join(dir, 'four'));
  assert.deepEqual(rows, metricRows(join(dir, 'one')));
  assert.deepEqual(rows.map((row) => row.step), Array.from({ length: 23 }, (_, i) => i + 1));
  assert.deepEqual(rows.filter((row) => row.validation_loss !== undefined).map((row) => row.step), [6, 12, 18, 23]);
  assert.deepEqual(new RunFolder(join(dir, 'four')).checkpointSteps(), [10, 20, 23]);
  assert.equal(four.validationLoss, one.validationLoss);
});

test('sft: 4 steps per graph run ≡ 1 step per run (weights, metrics)', async () => {
  const dir = tempDir('hhrl-sft-runs-');
  tinyPolicy(join(dir, 'base'));
  const demos = join(dir, 'demos.jsonl');
  writeFileSync(demos, PROMPTS.map((prompt, i) => JSON.stringify({ transcript: `${prompt.prompt} reply number ${i}` })).join('\n'));
  const settings = { steps: 11, batchSize: 4, learningRate: 3e-3, warmupSteps: 2, length: 48, maxPromptTokens: 24, threads: 1, evalEvery: 5, checkpointEvery: 7 };
  const inputs = { base: join(dir, 'base'), data: demos, validation: demos };
  const one = await trainSft({ ...settings, stepsPerRun: 1 }, inputs, join(dir, 'one'));
  const four = await trainSft({ ...settings, stepsPerRun: 4 }, inputs, join(dir, 'four'));
  assert.deepEqual(Array.from(four.model.params), Array.from(one.model.params));
  assert.deepEqual(metricRows(join(dir, 'four')), metricRows(join(dir, 'one')));
  assert.equal(four.finalLoss, one.finalLoss);
  assert.deepEqual(new RunFolder(join(dir, 'four')).checkpointSteps(), [7, 11]);
});
