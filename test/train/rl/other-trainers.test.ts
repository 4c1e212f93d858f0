/**
 * SFT, DPO, RLOO and best-of-n on a tiny policy: losses fall (or the reward rises), every parameter
 * changes, SFT weights fall on response tokens only, best-of-n keeps the highest-scoring sample.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GptModel } from '../../../src/model/gpt-model.ts';
import { bestOfN } from '../../../src/train/bon/best-of-n.ts';
import { runBestOfN } from '../../../src/train/bon/bon-run.ts';
import { trainDpo } from '../../../src/train/dpo/dpo-trainer.ts';
import { trainRloo } from '../../../src/train/rloo/rloo-trainer.ts';
import { readMetricRows } from '../../../src/train/rollout/rl-runner.ts';
import { RunFolder } from '../../../src/train/run-folder.ts';
import { sftBatch, splitLastTurn, encodePromptResponse } from '../../../src/train/sft/sft-data.ts';
import { loadDemonstrations } from '../../../src/data/specs/demonstrations.ts';
import { trainSft } from '../../../src/train/sft/sft-trainer.ts';
import { ConfigError, DataFormatError } from '../../../src/spec/errors.ts';
import { lowercaseShare, PROMPTS, tempDir, tinyPolicy, TINY_RL } from './fixtures.ts';

function assertEveryParameterChanged(before: GptModel, after: GptModel): void {
  for (const entry of after.layout.entries) {
    const a = before.layout.view(before.params, entry.name);
    const b = after.layout.view(after.params, entry.name);
    assert.ok(b.some((value, i) => value !== a[i]), `${entry.name} did not change`);
  }
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

test('SFT data: split at the last assistant turn; weights 1 exactly on response targets', () => {
  assert.deepEqual(splitLastTurn('\n\nHuman: a\n\nAssistant: b\n\nHuman: c\n\nAssistant: d'), {
    prompt: '\n\nHuman: a\n\nAssistant: b\n\nHuman: c\n\nAssistant:',
    response: ' d',
  });
  assert.equal(splitLastTurn('\n\nHuman: no answer'), undefined);
  const batch = sftBatch([{ promptTokens: [5, 6, 7], responseTokens: [8, 9] }], 2, 6);
  assert.deepEqual(Array.from(batch.tokens.data as BigInt64Array, Number), [5, 6, 7, 8, 9, 0, 0, 0, 0, 0, 0, 0]);
  // position i predicts token i+1: targets 8 (at 2) and 9 (at 3) are the response; the filler row has none
  assert.deepEqual(Array.from(batch.targets.data as BigInt64Array, Number), [6, 7, 8, 9, 0, 0, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual(Array.from(batch.weights.data as Float32Array), [0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
  const model = tinyPolicy(join(tempDir('hhrl-sft-data-'), 'm'));
  const row = encodePromptResponse(model.tokenizer, { prompt: '\n\nHuman: hi\n\nAssistant:', response: ' yo' }, { maxPromptTokens: 8, length: 20 });
  assert.equal(row.promptTokens.length, 8, 'prompt cut from the left');
  assert.equal(model.tokenizer.decode(row.responseTokens), ' yo\n\nHuman:', 'the response ends with the next turn marker');
});

test('SFT: loss falls and every parameter changes; bad demonstration files name file and line', async () => {
  const dir = tempDir('hhrl-sft-');
  const base = tinyPolicy(join(dir, 'base'));
  const demos = join(dir, 'demos.jsonl');
  const replies = ['sure, here it is', 'happy to help', 'the answer is four', 'i can explain that'];
  writeFileSync(demos, PROMPTS.map((prompt, i) => JSON.stringify({ transcript: `${prompt.prompt} ${replies[i]}` })).join('\n'));
  const losses: number[] = [];
  const result = await trainSft(
    { steps: 60, batchSize: 4, learningRate: 3e-3, warmupSteps: 0, length: 48, maxPromptTokens: 24, threads: 1 },
    { base: join(dir, 'base'), data: demos, validation: demos },
    join(dir, 'run'),
    { onProgress: (p) => losses.push(p.loss) },
  );
  assert.ok(mean(losses.slice(-5)) < 0.5 * mean(losses.slice(0, 5)), `loss ${mean(losses.slice(0, 5))} → ${mean(losses.slice(-5))}`);
  assert.ok(result.validationLoss !== undefined && result.validationLoss < losses[0]);
  assertEveryParameterChanged(base, result.model);
  const bad = join(dir, 'bad.jsonl');
  writeFileSync(bad, `${JSON.stringify({ transcript: '\n\nHuman: a\n\nAssistant: b' })}\n{"text": 1}\n`);
  assert.throws(() => loadDemonstrations(bad), (error: unknown) => error instanceof DataFormatError && /bad\.jsonl.*2/.test(error.message));
});

test('DPO: the loss falls below ln 2, preference accuracy rises, every parameter changes', async () => {
  const dir = tempDir('hhrl-dpo-');
  const base = tinyPolicy(join(dir, 'sft'));
  const data = join(dir, 'pairs.jsonl');
  writeFileSync(
    data,
    PROMPTS.map((prompt) => JSON.stringify({ chosen: `${prompt.prompt} yes indeed`, rejected: `${prompt.prompt} NO WAY` })).join('\n'),
  );
  const rows: Record<string, number>[] = [];
  const result = await trainDpo(
    { steps: 25, batchPairs: 4, beta: 0.5, learningRate: 3e-3, warmupSteps: 0, maxPromptTokens: 24, maxNewTokens: 16, threads: 1 },
    { policy: join(dir, 'sft'), data: [data] },
    join(dir, 'run'),
    { onProgress: (p) => rows.push(p.row as Record<string, number>) },
  );
  assert.ok(Math.abs(rows[0].loss - Math.log(2)) < 1e-3, `the first step starts at ln 2 (policy = reference): ${rows[0].loss}`);
  assert.ok(mean(rows.slice(-3).map((row) => row.loss)) < 0.3, `loss ${rows[rows.length - 1].loss}`);
  assert.equal(rows[rows.length - 1].accuracy, 1);
  assertEveryParameterChanged(base, result.policy);
});

test('RLOO raises a rule-based reward with k = 4 samples per prompt', async () => {
  const dir = tempDir('hhrl-rloo-');
  tinyPolicy(join(dir, 'sft'));
  await trainRloo({ ...TINY_RL, steps: 20, k: 4 }, { policy: join(dir, 'sft'), prompts: PROMPTS, reward: lowercaseShare }, join(dir, 'run'));
  const rows = readMetricRows(new RunFolder(join(dir, 'run'))).filter((row) => row.kind === 'train') as { reward: number }[];
  const first = mean(rows.slice(0, 3).map((row) => row.reward));
  const last = mean(rows.slice(-3).map((row) => row.reward));
  assert.ok(last > first + 0.1, `reward ${first.toFixed(3)} → ${last.toFixed(3)}`);
});

test('best-of-n keeps the highest-scoring of n samples per prompt', async () => {
  const dir = tempDir('hhrl-bon-');
  const policy = tinyPolicy(join(dir, 'sft'));
  const options = { n: 4, batch: 8, seed: 2, maxPromptTokens: 24, maxNewTokens: 16, temperature: 1, topK: 0, topP: 1 };
  const results = await bestOfN(policy, PROMPTS, lowercaseShare, options);
  assert.equal(results.length, PROMPTS.length);
  for (const result of results) {
    assert.equal(result.samples.length, 4);
    assert.equal(result.rewards[result.best], Math.max(...result.rewards));
    assert.ok(result.samples.every((sample) => sample.prompt === result.prompt));
    const recomputed = await lowercaseShare([{ prompt: result.prompt, response: result.samples[result.best].text }]);
    assert.equal(recomputed[0], result.rewards[result.best]);
  }
  const best = mean(results.map((result) => result.rewards[result.best]));
  const all = mean(results.flatMap((result) => [...result.rewards]));
  assert.ok(best > all, `best-of-4 ${best} vs mean ${all}`);
  await assert.rejects(bestOfN(policy, PROMPTS, lowercaseShare, { ...options, n: 0 }), RangeError);
});

test('best-of-n as a run: chunks written as they finish, a resume samples only the missing ones and equals an unbroken run', async () => {
  const dir = tempDir('hhrl-bon-run-');
  const policy = tinyPolicy(join(dir, 'sft'));
  const options = { n: 3, batch: 6, seed: 5, chunk: 2, maxPromptTokens: 24, maxNewTokens: 12, temperature: 1, topK: 0, topP: 1 };
  const inMemory = await runBestOfN(policy, PROMPTS, lowercaseShare, options);
  const progress: number[] = [];
  const run = join(dir, 'run');
  const unbroken = await runBestOfN(policy, PROMPTS, lowercaseShare, options, { dir: run, onProgress: (done) => progress.push(done) });
  assert.deepEqual(unbroken, inMemory, 'a run folder changes nothing about the samples');
  assert.deepEqual(progress, [2, 4]);
  assert.equal(inMemory.length, PROMPTS.length);
  for (const row of inMemory) {
    assert.equal(row.responses.length, 3);
    assert.equal(row.rewards[row.best], Math.max(...row.rewards));
  }
  const chunks = readdirSync(join(run, 'chunks')).sort();
  assert.deepEqual(chunks, ['000000.jsonl', '000001.jsonl']);
  // a run killed after its first chunk: the second is missing; a resume names a stated setting that differs,
  // and goes on with the saved settings for those it does not state
  rmSync(join(run, 'chunks', '000001.jsonl'));
  const firstWritten = statSync(join(run, 'chunks', '000000.jsonl')).mtimeMs;
  await assert.rejects(
    runBestOfN(policy, PROMPTS, lowercaseShare, { ...options, seed: 99 }, { dir: run, resume: true }),
    (error) => error instanceof ConfigError && /differs from this one in options\.seed \(saved 5, now 99\)/.test(error.message),
  );
  const resumed = await runBestOfN(policy, PROMPTS, lowercaseShare, { n: 3 }, { dir: run, resume: true });
  assert.deepEqual(resumed, unbroken);
  assert.equal(statSync(join(run, 'chunks', '000000.jsonl')).mtimeMs, firstWritten, 'the finished chunk was read, not sampled again');
  await assert.rejects(runBestOfN(policy, PROMPTS, lowercaseShare, options, { dir: run }), (error) => error instanceof ConfigError && /--resume/.test(error.message));
  // other prompts: refused by their fingerprint, saved with the run
  await assert.rejects(runBestOfN(policy, [...PROMPTS].reverse(), lowercaseShare, options, { dir: run, resume: true }), /inputs\.dataFingerprint \(saved "[0-9a-f]{24}", now "[0-9a-f]{24}"\)/);
  await assert.rejects(runBestOfN(policy, PROMPTS, lowercaseShare, { ...options, chunk: 0 }), (error) => error instanceof ConfigError && /invalid best-of-n config: chunk: Too small/.test(error.message));
  await assert.rejects(runBestOfN(policy, PROMPTS, lowercaseShare, options, { dir: join(dir, 'none'), resume: true }), /nothing to resume/);
});
