/**
 * The one trainer lifecycle (`train/common/`): the resume rule names every stated setting that differs from the
 * saved one and lets only the trainer's resumable paths change; a resumed run on other data is refused by its
 * fingerprint; a checkpoint without optimizer state is an error, not a silent restart of AdamW.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CheckpointError, ConfigError } from '../../src/spec/errors.ts';
import { dataFingerprint } from '../../src/train/common/fingerprint.ts';
import { resumedConfig, statedDifferences } from '../../src/train/common/resume-rule.ts';
import { trainLanguageModel } from '../../src/train/lm/lm-trainer.ts';
import { RunFolder } from '../../src/train/run-folder.ts';
import { tempDir } from './rl/fixtures.ts';

test('resume rule: stated settings that differ are named; resumable ones and unstated ones come from the saved config', () => {
  const saved = { config: { seed: 1, steps: 10, model: { layers: 2, heads: 2 } }, inputs: { data: ['a'] } };
  const requested = { config: { seed: 2, steps: 20, model: { layers: 3, heads: 2 } }, inputs: { data: ['a'] } };
  assert.deepEqual(statedDifferences(saved, requested, { config: { seed: 2, steps: 20, model: { layers: 3 } }, inputs: requested.inputs }, ['config.steps']), [
    { path: 'config.seed', saved: 1, requested: 2 },
    { path: 'config.model.layers', saved: 2, requested: 3 },
  ]);
  assert.throws(
    () => resumedConfig(saved, requested, { config: { seed: 2 } }, ['config.steps'], 'run/config.json'),
    (error) => error instanceof ConfigError && /run\/config\.json: the saved config differs from this one in config\.seed \(saved 1, now 2\)/.test(error.message),
  );
  // steps stated: taken from the request; seed and the model not stated: the saved ones
  assert.deepEqual(resumedConfig(saved, requested, { config: { steps: 20 }, inputs: requested.inputs }, ['config.steps'], 'run/config.json'), {
    config: { seed: 1, steps: 20, model: { layers: 2, heads: 2 } },
    inputs: { data: ['a'] },
  });
  // nothing resumable: steps is refused like any other setting
  assert.throws(() => resumedConfig(saved, requested, { config: { steps: 20 } }, [], 'x'), /config\.steps \(saved 10, now 20\)/);
});

test('data fingerprint: order and item boundaries count', () => {
  assert.equal(dataFingerprint(['ab', 'c']), dataFingerprint(['ab', 'c']));
  assert.notEqual(dataFingerprint(['ab', 'c']), dataFingerprint(['a', 'bc']));
  assert.notEqual(dataFingerprint(['a', 'b']), dataFingerprint(['b', 'a']));
  assert.match(dataFingerprint([]), /^[0-9a-f]{24}$/);
});

test('lm train resume: other data, a changed setting and a checkpoint without optimizer state are refused', async () => {
  const dir = tempDir('hhrl-lifecycle-');
  const corpus = join(dir, 'corpus.txt');
  writeFileSync(corpus, readFileSync(new URL('../../assets/demo-corpus.txt', import.meta.url), 'utf8'));
  const settings = { text: corpus, size: 'tiny' as const, context: 32, vocabSize: 258, steps: 4, batchSize: 2, checkpointEvery: 2, evalEvery: 2, threads: 1 };
  const out = join(dir, 'run');
  await trainLanguageModel(settings, out);
  const trainer = JSON.parse(readFileSync(join(new RunFolder(out).latestCheckpoint()!.dir, 'trainer.json'), 'utf8'));
  assert.deepEqual(Object.keys(trainer).sort(), ['dataFingerprint', 'step']);
  // a stated setting that differs is named; more steps are allowed
  await assert.rejects(trainLanguageModel({ ...settings, steps: 6, batchSize: 3 }, out, { resume: true }), /batchSize \(saved 2, now 3\)/);
  // the same path with other text: refused by the fingerprint
  writeFileSync(corpus, `${readFileSync(corpus, 'utf8')} more text`);
  await assert.rejects(trainLanguageModel({ ...settings, steps: 6 }, out, { resume: true }), (error) => error instanceof ConfigError && /training data differs/.test(error.message));
  writeFileSync(corpus, readFileSync(new URL('../../assets/demo-corpus.txt', import.meta.url), 'utf8'));
  // a checkpoint without its optimizer state cannot be resumed exactly: an error, not a fresh AdamW
  rmSync(join(new RunFolder(out).latestCheckpoint()!.dir, 'optimizer.safetensors'));
  await assert.rejects(trainLanguageModel({ ...settings, steps: 6 }, out, { resume: true }), (error) => error instanceof CheckpointError && /no optimizer state/.test(error.message));
});
