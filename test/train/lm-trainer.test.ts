import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GptModel } from '../../src/model/gpt-model.ts';
import { TrainingAborted, trainLanguageModel } from '../../src/train/lm/lm-trainer.ts';
import { RunFolder } from '../../src/train/run-folder.ts';
import { ConfigError } from '../../src/spec/errors.ts';

const text = readFileSync(new URL('../../assets/demo-corpus.txt', import.meta.url), 'utf8');
const settings = { size: 'tiny' as const, context: 32, vocabSize: 300, steps: 24, batchSize: 4, checkpointEvery: 8, evalEvery: 8, seed: 3, threads: 1 };

test('lm train: killed after a checkpoint and resumed ≡ uninterrupted; metrics have no duplicate steps', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hhrl-lm-'));
  const corpus = join(dir, 'corpus.txt');
  writeFileSync(corpus, text);
  const straight = await trainLanguageModel({ ...settings, text: corpus }, join(dir, 'straight'));

  const controller = new AbortController();
  await assert.rejects(
    trainLanguageModel({ ...settings, text: corpus }, join(dir, 'killed'), {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.step === 13) controller.abort();
      },
    }),
    TrainingAborted,
  );
  const run = new RunFolder(join(dir, 'killed'));
  assert.deepEqual(run.checkpointSteps(), [8]);
  await assert.rejects(trainLanguageModel({ ...settings, text: corpus }, join(dir, 'killed')), ConfigError, 'a fresh run refuses a used folder');
  const resumed = await trainLanguageModel({ ...settings, text: corpus }, join(dir, 'killed'), { resume: true });
  assert.deepEqual(Array.from(resumed.model.params), Array.from(straight.model.params));
  const steps = readFileSync(run.metricsPath, 'utf8').trim().split('\n').map((line) => JSON.parse(line).step);
  assert.deepEqual(steps, Array.from({ length: 24 }, (_, i) => i + 1));
  assert.ok(Number.isFinite(straight.validationLoss));
  const { model } = GptModel.load(resumed.checkpointDir);
  assert.deepEqual(Array.from(model.params), Array.from(straight.model.params));
});
