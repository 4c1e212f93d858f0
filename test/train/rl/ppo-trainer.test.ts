/**
 * PPO end to end on a tiny policy against a rule-based reward: the reward rises, every parameter changes,
 * the same seed gives the same run, a killed run resumes to the same weights, and the rollout log-probs
 * the scoring graph computes equal those the generation graph sampled with.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GptModel } from '../../../src/model/gpt-model.ts';
import { TrainingAborted } from '../../../src/train/lm/lm-trainer.ts';
import { trainPpo } from '../../../src/train/ppo/ppo-trainer.ts';
import { readMetricRows } from '../../../src/train/rollout/rl-runner.ts';
import { promptText } from '../../../src/data/specs/prompts.ts';
import { measureProbe } from '../../../src/train/rollout/reward-probe.ts';
import { generateSamples, scoreRows } from '../../../src/train/rollout/rollout.ts';
import { withoutPartialStop } from '../../../src/model/stop-text.ts';
import { hashString32 } from '../../../src/util/random.ts';
import { RunFolder } from '../../../src/train/run-folder.ts';
import { ConfigError } from '../../../src/spec/errors.ts';
import { lowercaseShare, PROMPTS, tempDir, tinyPolicy, TINY_RL, withoutTimings } from './fixtures.ts';

test('a tiny PPO run raises a rule-based reward, and every parameter changes', async () => {
  const dir = tempDir('hhrl-ppo-');
  tinyPolicy(join(dir, 'sft'));
  const result = await trainPpo({ ...TINY_RL, steps: 20 }, { policy: join(dir, 'sft'), prompts: PROMPTS, reward: lowercaseShare }, join(dir, 'run'));
  const rows = readMetricRows(new RunFolder(join(dir, 'run'))).filter((row) => row.kind === 'train') as { reward: number; kl: number }[];
  assert.equal(rows.length, 20);
  const first = rows.slice(0, 3).reduce((a, row) => a + row.reward, 0) / 3;
  const last = rows.slice(-3).reduce((a, row) => a + row.reward, 0) / 3;
  assert.ok(last > first + 0.15, `reward ${first.toFixed(3)} → ${last.toFixed(3)}`);
  assert.ok(rows[rows.length - 1].kl > 0.5, 'the policy moved away from π₀');
  // every named parameter tensor changed (value head included)
  const start = GptModel.load(join(dir, 'sft')).model.withHeads({ lm: true, tokenScalar: true }, 0);
  const trained = GptModel.load(result.checkpointDir).model;
  for (const entry of trained.layout.entries) {
    if (entry.name.startsWith('value.')) continue; // fresh head: compared below against its own init
    const before = start.layout.view(start.params, entry.name);
    const after = trained.layout.view(trained.params, entry.name);
    assert.ok(after.some((value, i) => value !== before[i]), `${entry.name} did not change`);
  }
  const summary = JSON.parse(readFileSync(join(dir, 'run', 'summary.json'), 'utf8'));
  assert.equal(summary.steps, 20);
  assert.ok(summary.sqrtKlFit.all.slope > 0, 'reward grows with √KL');
});

test('the value head changes under PPO', async () => {
  const dir = tempDir('hhrl-ppo-value-');
  tinyPolicy(join(dir, 'sft'));
  const result = await trainPpo({ ...TINY_RL, steps: 2 }, { policy: join(dir, 'sft'), prompts: PROMPTS, reward: lowercaseShare }, join(dir, 'run'));
  const init = GptModel.load(join(dir, 'sft')).model.withHeads({ lm: true, tokenScalar: true }, (await import('../../../src/util/random.ts')).hashString32('1:heads'));
  for (const name of ['value.weight', 'value.bias']) {
    const before = init.layout.view(init.params, name);
    const after = result.policy.layout.view(result.policy.params, name);
    assert.ok(after.some((value, i) => value !== before[i]), `${name} did not change`);
  }
});

test('PPO: the same seed gives the same run; a killed run resumes to the same weights and metrics', async () => {
  const dir = tempDir('hhrl-ppo-seed-');
  tinyPolicy(join(dir, 'sft'));
  const inputs = { policy: join(dir, 'sft'), prompts: PROMPTS, reward: lowercaseShare };
  const settings = { ...TINY_RL, steps: 4, checkpointEvery: 2 };
  const a = await trainPpo(settings, inputs, join(dir, 'a'));
  const b = await trainPpo(settings, inputs, join(dir, 'b'));
  assert.deepEqual(Array.from(a.policy.params), Array.from(b.policy.params));
  const rowsA = withoutTimings(readMetricRows(new RunFolder(join(dir, 'a'))));
  assert.deepEqual(rowsA, withoutTimings(readMetricRows(new RunFolder(join(dir, 'b')))));
  // a different seed differs
  const c = await trainPpo({ ...settings, seed: 2 }, inputs, join(dir, 'c'));
  assert.notDeepEqual(Array.from(a.policy.params), Array.from(c.policy.params));
  // kill after iteration 3 (checkpoint at 2), resume to 4
  const controller = new AbortController();
  await assert.rejects(
    trainPpo(settings, inputs, join(dir, 'killed'), { signal: controller.signal, onProgress: (p) => p.step === 3 && controller.abort() }),
    TrainingAborted,
  );
  await assert.rejects(trainPpo(settings, inputs, join(dir, 'killed')), ConfigError, 'a fresh run refuses a used folder');
  const resumed = await trainPpo(settings, inputs, join(dir, 'killed'), { resume: true });
  assert.deepEqual(Array.from(resumed.policy.params), Array.from(a.policy.params));
  assert.deepEqual(withoutTimings(readMetricRows(new RunFolder(join(dir, 'killed')))), rowsA);
});

test('scoring log-probs equal the generation graph\'s, and padding rows do not change them', async () => {
  const dir = tempDir('hhrl-rollout-');
  const model = tinyPolicy(join(dir, 'sft'));
  const options = { maxPromptTokens: 24, maxNewTokens: 16, temperature: 1, topK: 0, topP: 1, seed: 4 };
  const samples = await generateSamples(model, PROMPTS, { ...options, batch: 4 }); // one run of 4 rows, as below
  const generations = await model.generate(
    samples.map((sample) => sample.promptTokens),
    { maxNewTokens: 16, seed: (await import('../../../src/util/random.ts')).hashString32('4:rollout:0'), stop: ['\n\nHuman:'] },
  );
  assert.ok(samples.every((sample) => sample.responseTokens.length > 0));
  const scored8 = await scoreRows(model, samples, 8, 40);
  const scored4 = await scoreRows(model, samples, 4, 40);
  samples.forEach((sample, i) => {
    assert.equal(scored8[i].logProbs.length, sample.responseTokens.length);
    // the batch of 4 (no padding rows) and of 8 (4 padding rows) agree
    scored8[i].logProbs.forEach((value, t) => assert.ok(Math.abs(value - scored4[i].logProbs[t]) < 1e-5));
    // the generation graph's log π of the same tokens agrees with the full forward pass
    assert.deepEqual(generations[i].tokens, sample.responseTokens);
    // the text is the reply a user sees: a row cut by the token limit loses a trailing start of the stop string
    assert.equal(sample.text, generations[i].finishReason === 'length' ? withoutPartialStop(generations[i].text, ['\n\nHuman:']) : generations[i].text);
    generations[i].logProbs.forEach((value, t) => assert.ok(Math.abs(value - scored8[i].logProbs[t]) < 1e-4, `${value} vs ${scored8[i].logProbs[t]}`));
  });
});

test('the reward probe: fixed held-out prompts and draws, π₀ measures KL 0, rows and fits land in the run', async () => {
  const dir = tempDir('hhrl-ppo-probe-');
  const model = tinyPolicy(join(dir, 'sft'));
  const heldOut = ['good morning', 'how are you', 'what now', 'say something'].map((text, i) => {
    const conversation = [{ role: 'human' as const, text }];
    return { id: `h${i}`, conversation, prompt: promptText(conversation) };
  });
  // measured twice on the same policy: identical (the same prompts and random draws); π against itself: KL 0
  const options = { maxPromptTokens: 24, maxNewTokens: 16, temperature: 1, topK: 0, topP: 1, batch: 4, seed: 7, length: 40 };
  const first = await measureProbe(model, model, heldOut, lowercaseShare, options);
  assert.deepEqual(await measureProbe(model, model, heldOut, lowercaseShare, options), first);
  assert.equal(first.kl, 0);
  assert.equal(first.kl_k3, 0, 'k3 of π against itself is 0 too');
  assert.equal(first.prompts, 4);
  const direct = await lowercaseShare((await generateSamples(model, heldOut, { ...options, seed: hashString32('7:reward-probe') })).map((s) => ({ prompt: s.prompt, response: s.text })));
  assert.ok(Math.abs(first.reward - Array.from(direct).reduce((a, b) => a + b, 0) / 4) < 1e-12, 'probe reward = mean reward of its samples');
  // in a run: a probe before training and after every `probeEvery` iterations, and the fits in summary.json
  const result = await trainPpo({ ...TINY_RL, steps: 6, probePrompts: 4, probeEvery: 2 }, { policy: join(dir, 'sft'), prompts: PROMPTS, probePrompts: heldOut, reward: lowercaseShare }, join(dir, 'run'));
  const probes = readMetricRows(new RunFolder(join(dir, 'run'))).filter((row) => row.kind === 'probe') as { step: number; kl: number; kl_k3: number; sqrt_kl_k3: number; reward: number }[];
  assert.deepEqual(probes.map((row) => row.step), [0, 2, 4, 6]);
  assert.equal(probes[0].kl, 0);
  assert.ok(probes[3].kl > 0, 'the trained policy moved away from π₀');
  assert.equal(result.summary.probeSqrtKlFit?.firstHalf.n, 2, 'first half: probes at steps 0 and 2 (≤ 6/2)');
  assert.equal(result.summary.probeSqrtKlFit?.all.n, 4);
  // k3 per sequence is a sum of (r − 1) − log r ≥ 0, so its mean is ≥ 0 and its square root is recorded beside k1's
  for (const row of probes) {
    assert.ok(row.kl_k3 >= 0);
    assert.ok(Math.abs(row.sqrt_kl_k3 - Math.sqrt(row.kl_k3)) < 1e-12);
  }
  assert.ok(probes[3].kl_k3 > 0);
  assert.equal(result.summary.probeSqrtKlFitK3?.firstHalf.n, 2);
  // a resumed run keeps its saved probe, and fails clearly rather than stop probing when its prompts are missing
  await assert.rejects(
    trainPpo({ ...TINY_RL, steps: 8 }, { policy: join(dir, 'sft'), prompts: PROMPTS, reward: lowercaseShare }, join(dir, 'run'), { resume: true }),
    (error) => error instanceof ConfigError && /probePrompts 4 \(saved with the run\) needs held-out probe prompts/.test(error.message),
  );
  await trainPpo({ ...TINY_RL, steps: 8 }, { policy: join(dir, 'sft'), prompts: PROMPTS, probePrompts: heldOut, reward: lowercaseShare }, join(dir, 'run'), { resume: true });
  const resumed = readMetricRows(new RunFolder(join(dir, 'run'))).filter((row) => row.kind === 'probe') as { step: number }[];
  assert.deepEqual(resumed.map((row) => row.step), [0, 2, 4, 6, 8]);
  // without held-out prompts no probe runs
  const plain = await trainPpo({ ...TINY_RL, steps: 1 }, { policy: join(dir, 'sft'), prompts: PROMPTS, reward: lowercaseShare }, join(dir, 'plain'));
  assert.equal(plain.summary.probeSqrtKlFit, null);
});

test('critic warm-up: the first iterations train only the value head, then PPO trains everything', async () => {
  const dir = tempDir('hhrl-ppo-warm-');
  tinyPolicy(join(dir, 'sft'));
  await trainPpo({ ...TINY_RL, steps: 3, criticWarmup: 2, checkpointEvery: 1, keepCheckpoints: 3 }, { policy: join(dir, 'sft'), prompts: PROMPTS, reward: lowercaseShare }, join(dir, 'run'));
  const run = new RunFolder(join(dir, 'run'));
  const start = GptModel.load(join(dir, 'sft')).model.withHeads({ lm: true, tokenScalar: true }, hashString32('1:heads'));
  const atStep = (step: number) => GptModel.load(run.checkpointDir(step)).model;
  const warmed = atStep(2);
  const trained = atStep(3);
  for (const entry of start.layout.entries) {
    const before = start.layout.view(start.params, entry.name);
    const changed = (model: GptModel) => model.layout.view(model.params, entry.name).some((value, i) => value !== before[i]);
    if (entry.name.startsWith('value.')) assert.ok(changed(warmed), `${entry.name} learned during the warm-up`);
    else {
      assert.ok(!changed(warmed), `${entry.name} stayed at π₀ during the warm-up`);
      assert.ok(changed(trained), `${entry.name} changed once PPO started`);
    }
  }
  const rows = readMetricRows(run).filter((row) => row.kind === 'train') as { step: number; kl: number }[];
  assert.deepEqual(rows.map((row) => row.step), [1, 2, 3]);
  assert.ok(Math.abs(rows[1].kl) < 1e-6, `π = π₀ while warming up (KL ${rows[1].kl})`);
  // a run killed after the warm-up resumes under PPO's own loss to the same weights as an unbroken one
  const unbroken = await trainPpo({ ...TINY_RL, steps: 4, criticWarmup: 2 }, { policy: join(dir, 'sft'), prompts: PROMPTS, reward: lowercaseShare }, join(dir, 'unbroken'));
  const resumed = await trainPpo({ ...TINY_RL, steps: 4, criticWarmup: 2 }, { policy: join(dir, 'sft'), prompts: PROMPTS, reward: lowercaseShare }, join(dir, 'run'), { resume: true });
  assert.deepEqual(Array.from(resumed.policy.params), Array.from(unbroken.policy.params));
});

test('PPO-ptx: the demonstrations\' LM loss falls while PPO trains; without demonstrations it is a ConfigError', async () => {
  const dir = tempDir('hhrl-ppo-ptx-');
  tinyPolicy(join(dir, 'sft'));
  const demonstrations = ['hi', 'hello there', 'what is up', 'tell me more'].map((text) => `\n\nHuman: ${text}\n\nAssistant: sure, here it is.`);
  const settings = { ...TINY_RL, steps: 6, ptxBatch: 4 };
  const inputs = { policy: join(dir, 'sft'), prompts: PROMPTS, reward: lowercaseShare };
  await trainPpo({ ...settings, ptxCoef: 1 }, { ...inputs, ptxDemonstrations: demonstrations }, join(dir, 'ptx'));
  const rows = readMetricRows(new RunFolder(join(dir, 'ptx'))).filter((row) => row.kind === 'train') as { ptx_loss: number }[];
  assert.equal(rows.length, 6);
  assert.ok(rows.every((row) => Number.isFinite(row.ptx_loss)), 'ptx_loss is logged every iteration');
  assert.ok(rows[5].ptx_loss < rows[0].ptx_loss - 0.5, `demonstration NLL ${rows[0].ptx_loss.toFixed(3)} → ${rows[5].ptx_loss.toFixed(3)}`);
  // plain PPO on the same seed does not learn the demonstrations (no ptx_loss at all)
  await trainPpo(settings, inputs, join(dir, 'plain'));
  const plain = readMetricRows(new RunFolder(join(dir, 'plain'))).filter((row) => row.kind === 'train');
  assert.ok(plain.every((row) => !('ptx_loss' in row)));
  await assert.rejects(trainPpo({ ...settings, ptxCoef: 1 }, inputs, join(dir, 'missing')), (error) => error instanceof ConfigError && /ptx/.test(error.message));
  assert.ok(!existsSync(join(dir, 'missing', 'config.json')), 'nothing written for a run that cannot start');
  // a critic warm-up still leaves π at π₀ with the ptx term on
  await trainPpo({ ...settings, steps: 2, criticWarmup: 2, ptxCoef: 1 }, { ...inputs, ptxDemonstrations: demonstrations }, join(dir, 'warm'));
  const start = GptModel.load(join(dir, 'sft')).model;
  const warmed = GptModel.load(new RunFolder(join(dir, 'warm')).latestCheckpoint()!.dir).model;
  for (const entry of start.layout.entries) {
    const before = start.layout.view(start.params, entry.name);
    assert.ok(warmed.layout.view(warmed.params, entry.name).every((value, i) => value === before[i]), `${entry.name} stayed at π₀ during the warm-up`);
  }
});
