/**
 * The GPT end to end: whole-model gradient check, a training run whose loss falls and whose every
 * parameter moves, gradient accumulation equivalence, KV-cache generation against recomputation,
 * checkpoints.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, truncateSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import * as E from '../../src/engine/index.ts';
import { alibiMask, alibiSlopes, gptHidden, gptParamSpecs, lmLogits, sequenceScores, tokenScalars } from '../../src/model/gpt.ts';
import { parseGptConfig } from '../../src/model/gpt-config.ts';
import { GptModel } from '../../src/model/gpt-model.ts';
import { lmBatchSpec, lmLoss } from '../../src/model/lm-loss.ts';
import { BpeTokenizer } from '../../src/model/tokenizer/index.ts';
import { CheckpointError, ConfigError } from '../../src/spec/errors.ts';
import { Random } from '../../src/util/random.ts';

const tokenizer = BpeTokenizer.fromBytes();

for (const positions of ['learned', 'alibi'] as const) test(`whole GPT loss (LM + sequence head + value head) passes a float64 gradient check (${positions} positions)`, async () => {
  const config = parseGptConfig({ vocabSize: 6, layers: 2, dModel: 8, heads: 2, context: 4, positions });
  const heads = { lm: true, sequenceScalar: true, tokenScalar: true };
  const layout = new E.ParamLayout(gptParamSpecs(config, heads));
  const random = new Random(5);
  const initial = Float64Array.from(layout.initialize(random), (v) => v * 5); // larger weights: non-trivial attention
  const tokens = BigInt64Array.of(1n, 4n, 2n, 0n, 5n, 3n, 3n, 1n);
  const result = await E.gradCheck(
    (g, [flat]) => {
      const p = layout.bind(flat);
      const tok = g.constant(tokens, 'int64', [2, 4]);
      const hidden = gptHidden(config, p, tok);
      const logits = E.reshape(lmLogits(config, p, hidden), [8, 6]);
      const targets = g.constant(BigInt64Array.of(4n, 2n, 0n, 1n, 3n, 3n, 1n, 2n), 'int64', [8]);
      const { loss } = E.crossEntropy(logits, targets, g.constant(new Float64Array(8).fill(1), 'float64', [8]), g.scalar(8, 'float64'));
      const scores = sequenceScores(p, hidden, g.constant(BigInt64Array.of(3n, 4n), 'int64', [2]));
      const values = tokenScalars(p, hidden);
      return E.add(E.add(loss, E.sum(E.mul(scores, scores))), E.mean(E.mul(values, values)));
    },
    [{ shape: [layout.total], data: initial }],
    { relTol: 1e-5, absTol: 1e-6 },
  );
  assert.ok(result.worstRatio <= 1, `worst ratio ${result.worstRatio}, relative ${result.worstRelativeError}`);
});

test('a tiny GPT learns a repeating text: loss falls below 0.3 and every parameter changes', async () => {
  const config = parseGptConfig({ vocabSize: tokenizer.vocabSize, layers: 2, dModel: 32, heads: 4, context: 16 });
  const model = GptModel.create(config, { lm: true }, tokenizer, 1);
  const before = Float32Array.from(model.params);
  const text = 'the cat sat on the mat. '.repeat(20);
  const ids = tokenizer.encode(text);
  const batchSize = 8;
  const trainer = new E.GraphTrainer(
    model.layout,
    lmBatchSpec(batchSize, 16),
    lmLoss(config),
    E.AdamWConfigSchema.parse({ learningRate: 3e-3, totalSteps: 150, warmupSteps: 10 }),
    E.GraphTrainer.initialState(model.params),
  );
  const random = new Random(2);
  let loss = Infinity;
  for (let step = 0; step < 150; step++) {
    const tokens = new BigInt64Array(batchSize * 16);
    const targets = new BigInt64Array(batchSize * 16);
    for (let row = 0; row < batchSize; row++) {
      const start = random.int(ids.length - 17);
      for (let i = 0; i < 16; i++) {
        tokens[row * 16 + i] = BigInt(ids[start + i]);
        targets[row * 16 + i] = BigInt(ids[start + i + 1]);
      }
    }
    const result = await trainer.step([
      {
        tokens: { data: tokens, shape: [batchSize, 16] },
        targets: { data: targets, shape: [batchSize, 16] },
        weights: { data: new Float32Array(batchSize * 16).fill(1), shape: [batchSize, 16] },
      },
    ]);
    loss = result.loss;
  }
  assert.ok(loss < 0.3, `final loss ${loss}`);
  for (const entry of model.layout.entries) {
    const a = model.layout.view(before, entry.name);
    const b = model.layout.view(trainer.state.params, entry.name);
    assert.ok(a.some((v, i) => v !== b[i]), `parameter ${entry.name} did not change`);
  }
  await trainer.release();
});

test('batch 8 × accumulation 1 ≡ batch 1 × accumulation 8', async () => {
  const config = parseGptConfig({ vocabSize: tokenizer.vocabSize, layers: 1, dModel: 16, heads: 2, context: 8 });
  const layout = new E.ParamLayout(gptParamSpecs(config));
  const params = layout.initialize(new Random(3));
  const random = new Random(4);
  const rows = Array.from({ length: 8 }, () => Array.from({ length: 9 }, () => random.int(200)));
  const batchOf = (selected: number[][]) => ({
    tokens: { data: BigInt64Array.from(selected.flatMap((r) => r.slice(0, 8)).map(BigInt)), shape: [selected.length, 8] },
    targets: { data: BigInt64Array.from(selected.flatMap((r) => r.slice(1)).map(BigInt)), shape: [selected.length, 8] },
    weights: { data: new Float32Array(selected.length * 8).fill(1), shape: [selected.length, 8] },
  });
  const optimizer = E.AdamWConfigSchema.parse({ learningRate: 1e-2 });
  const big = new E.GraphTrainer(layout, lmBatchSpec(8, 8), lmLoss(config), optimizer, E.GraphTrainer.initialState(Float32Array.from(params)));
  const small = new E.GraphTrainer(layout, lmBatchSpec(1, 8), lmLoss(config), optimizer, E.GraphTrainer.initialState(Float32Array.from(params)));
  for (let step = 0; step < 3; step++) {
    const a = await big.step([batchOf(rows)]);
    const b = await small.step(rows.map((row) => batchOf([row])));
    assert.ok(Math.abs(a.loss - b.loss) < 1e-5, `step ${step}: loss ${a.loss} vs ${b.loss}`);
    assert.ok(Math.abs(a.gradNorm - b.gradNorm) < 1e-4 * Math.max(1, a.gradNorm), `grad norm ${a.gradNorm} vs ${b.gradNorm}`);
  }
  let worst = 0;
  big.state.params.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - small.state.params[i]))));
  assert.ok(worst < 1e-5, `parameters differ by ${worst}`);
  await big.release();
  await small.release();
});

for (const positions of ['learned', 'alibi'] as const) test(`KV-cache generation equals full recomputation, rows finish on their own, and a seed fixes the output (${positions} positions)`, async () => {
  const config = parseGptConfig({ vocabSize: tokenizer.vocabSize, layers: 2, dModel: 32, heads: 4, context: 32, positions });
  const model = GptModel.create(config, { lm: true }, tokenizer, 9);
  const prompts = [tokenizer.encode('hello'), tokenizer.encode('a longer prompt!'), tokenizer.encode('x')];
  for (const options of [{ temperature: 1 }, { temperature: 0 }, { temperature: 0.7, topK: 40, topP: 0.9 }]) {
    const generations = await model.generate(prompts, { maxNewTokens: 9, seed: 11, chunk: 4, ...options });
    const again = await model.generate(prompts, { maxNewTokens: 9, seed: 11, chunk: 5, ...options });
    assert.deepEqual(again.map((g) => g.tokens), generations.map((g) => g.tokens), 'same seed, different chunking → same tokens');
    for (const generation of generations) {
      assert.equal(generation.tokens.length, 9);
      assert.equal(generation.finishReason, 'length');
      const all = [...generation.promptTokens, ...generation.tokens];
      const full = await model.sequenceOutputs(BigInt64Array.from(all.map(BigInt)), 1, all.length);
      const reference = full.logProbs.slice(generation.promptTokens.length - 1);
      generation.logProbs.forEach((value, i) => assert.ok(Math.abs(value - reference[i]) < 1e-4, `token ${i}: ${value} vs ${reference[i]}`));
    }
  }
  // eos ends one row early; greedy decoding makes the first generated token predictable
  const greedy = await model.generate(prompts, { maxNewTokens: 6, temperature: 0 });
  const eosId = greedy[1].tokens[2];
  const stopped = await model.generate(prompts, { maxNewTokens: 6, temperature: 0, eosId });
  assert.equal(stopped[1].finishReason, 'eos');
  assert.equal(stopped[1].tokens.length, greedy[1].tokens.indexOf(eosId) + 1);
  // stop strings cut the text before the stop
  const stopText = tokenizer.decode(greedy[0].tokens.slice(2, 4));
  const cut = await model.generate(prompts, { maxNewTokens: 6, temperature: 0, stop: [stopText] });
  assert.equal(cut[0].finishReason, 'stop');
  assert.ok(!cut[0].text.includes(stopText));
  assert.ok(tokenizer.decode(greedy[0].tokens).startsWith(cut[0].text));
  await model.release();
});

test('row seeds: a row samples the same tokens alone and in any batch, and one seed per row is required', async () => {
  const config = parseGptConfig({ vocabSize: tokenizer.vocabSize, layers: 2, dModel: 32, heads: 4, context: 48 });
  const model = GptModel.create(config, { lm: true }, tokenizer, 5);
  const prompts = [tokenizer.encode('hello'), tokenizer.encode('a longer prompt!'), tokenizer.encode('x'), tokenizer.encode('hello')];
  const options = { maxNewTokens: 20, temperature: 1, chunk: 4 };
  const batch = await model.generate(prompts, { ...options, rowSeeds: [1, 2, 3, 4] });
  const alone = await Promise.all(prompts.map(async (prompt, row) => (await model.generate([prompt], { ...options, rowSeeds: [row + 1] }))[0]));
  assert.deepEqual(batch.map((generation) => generation.tokens), alone.map((generation) => generation.tokens));
  const reordered = await model.generate([prompts[2], prompts[0]], { ...options, rowSeeds: [3, 1] });
  assert.deepEqual(reordered.map((generation) => generation.tokens), [batch[2].tokens, batch[0].tokens]);
  assert.notDeepEqual(batch[3].tokens, batch[0].tokens, 'the same prompt with another seed samples other tokens');
  // one row alone with a row seed is the row of the single stream of that seed (what a lone call did before)
  assert.deepEqual(alone[1].tokens, (await model.generate([prompts[1]], { ...options, seed: 2 }))[0].tokens);
  await assert.rejects(model.generate(prompts, { ...options, rowSeeds: [1, 2] }), ConfigError);
  await model.release();
});

test('save → load gives identical logits; export writes an ONNX model', async () => {
  const config = parseGptConfig({ vocabSize: tokenizer.vocabSize, layers: 1, dModel: 16, heads: 2, context: 8, tiedEmbeddings: true });
  const model = GptModel.create(config, { lm: true }, tokenizer, 4);
  const dir = mkdtempSync(join(tmpdir(), 'hhrl-ckpt-'));
  const path = join(dir, 'model');
  model.save(path, { metadata: { note: 'test' } });
  const { model: loaded, checkpoint } = GptModel.load(path);
  assert.deepEqual(checkpoint.metadata, { note: 'test' });
  const tokens = BigInt64Array.from([1, 2, 3, 4, 5, 6, 7, 8].map(BigInt));
  assert.deepEqual(await loaded.logits(tokens, 1, 8), await model.logits(tokens, 1, 8));
  model.exportOnnx(join(dir, 'model.onnx'));
  const session = await ort.InferenceSession.create(readFileSync(join(dir, 'model.onnx')));
  const out = await session.run({ input_ids: new ort.Tensor('int64', tokens, [1, 8]) });
  const expected = await model.logits(tokens, 1, 8);
  (out.logits.data as Float32Array).forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-5));
});

test('corrupt checkpoints give CheckpointError, invalid configs name the field', () => {
  const config = parseGptConfig({ vocabSize: tokenizer.vocabSize, layers: 1, dModel: 16, heads: 2, context: 8 });
  const model = GptModel.create(config, { lm: true }, tokenizer, 4);
  const dir = mkdtempSync(join(tmpdir(), 'hhrl-bad-'));
  assert.throws(() => GptModel.load(join(dir, 'missing')), CheckpointError);
  const truncated = join(dir, 'truncated');
  model.save(truncated);
  truncateSync(join(truncated, 'model.safetensors'), statSync(join(truncated, 'model.safetensors')).size - 100);
  assert.throws(() => GptModel.load(truncated), CheckpointError);
  const reshaped = join(dir, 'reshaped');
  model.save(reshaped);
  const configPath = join(reshaped, 'config.json');
  const json = JSON.parse(readFileSync(configPath, 'utf8'));
  json.model.dModel = 32;
  writeFileSync(configPath, JSON.stringify(json));
  assert.throws(() => GptModel.load(reshaped), (error: Error) => error instanceof CheckpointError && /shape/.test(error.message));
  assert.throws(
    () => parseGptConfig({ vocabSize: 10, layers: 0, dModel: 16, heads: 3, context: 8 }),
    (error: Error) => error instanceof ConfigError && /layers/.test(error.message) && /heads/.test(error.message),
  );
});

test('padding key mask: real tokens do not attend to masked positions', async () => {
  const config = parseGptConfig({ vocabSize: tokenizer.vocabSize, layers: 2, dModel: 16, heads: 2, context: 6 });
  const layout = new E.ParamLayout(gptParamSpecs(config));
  const graph = E.buildForwardGraph(
    layout,
    { tokens: { dtype: 'int64', shape: [2, 6] }, keyMask: { dtype: 'float32', shape: [2, 6] } },
    (_g, p, batch) => ({ hidden: gptHidden(config, p, batch.tokens, { keyMask: batch.keyMask }) }),
  );
  const compiled = await E.CompiledGraph.compile(graph, { threads: 1 });
  const params = layout.initialize(new Random(8));
  // rows differ only in their first two (padding) tokens, which the mask hides
  const tokens = BigInt64Array.from([7, 9, 40, 41, 42, 43, 100, 3, 40, 41, 42, 43].map(BigInt));
  const keyMask = Float32Array.of(0, 0, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1);
  const run = async (mask: Float32Array) =>
    (await compiled.run({ params: { data: params, shape: [layout.total] }, tokens: { data: tokens, shape: [2, 6] }, keyMask: { data: mask, shape: [2, 6] } }))
      .hidden.data as Float32Array;
  const masked = await run(keyMask);
  const c = config.dModel;
  for (let i = 2 * c; i < 6 * c; i++) assert.ok(Math.abs(masked[i] - masked[6 * c + i]) < 1e-5, `element ${i} depends on a masked token`);
  const unmasked = await run(new Float32Array(12).fill(1));
  let differs = false;
  for (let i = 2 * c; i < 6 * c; i++) if (Math.abs(unmasked[i] - unmasked[6 * c + i]) > 1e-4) differs = true;
  assert.ok(differs, 'without the mask the padding tokens should change the real positions');
  await compiled.release();
});

test('ALiBi: the paper\'s slopes, a mask of linear distance penalties, no position parameters, and order still matters', async () => {
  assert.deepEqual(alibiSlopes(4), [2 ** -2, 2 ** -4, 2 ** -6, 2 ** -8]);
  assert.deepEqual(alibiSlopes(8), [1, 2, 3, 4, 5, 6, 7, 8].map((i) => 2 ** -i));
  // not a power of two: the 4-head slopes, then every other slope of the 8-head set
  assert.deepEqual(alibiSlopes(6), [2 ** -2, 2 ** -4, 2 ** -6, 2 ** -8, 2 ** -1, 2 ** -3]);
  const learned = parseGptConfig({ vocabSize: 6, layers: 1, dModel: 8, heads: 2, context: 4 });
  const alibi = parseGptConfig({ vocabSize: 6, layers: 1, dModel: 8, heads: 2, context: 4, positions: 'alibi' });
  assert.ok(gptParamSpecs(learned).some((spec) => spec.name === 'wpe'));
  assert.ok(!gptParamSpecs(alibi).some((spec) => spec.name === 'wpe'), 'ALiBi has no position embedding');
  const g = new E.Graph();
  g.output(alibiMask(g, 2, 3, 'float64'), 'mask');
  const compiled = await E.CompiledGraph.compile(g);
  const values = (await compiled.run({})).mask.data as Float64Array;
  await compiled.release();
  // head 0 (m = 2^−4) then head 1 (m = 2^−8); rows are queries, −1e9 above the diagonal
  const [m0, m1] = [2 ** -4, 2 ** -8];
  assert.deepEqual(Array.from(values), [0, -1e9, -1e9, -m0, 0, -1e9, -2 * m0, -m0, 0, 0, -1e9, -1e9, -m1, 0, -1e9, -2 * m1, -m1, 0]);
  // with ALiBi the same tokens in another order give other outputs (attention is no longer order-blind)
  const model = GptModel.create(parseGptConfig({ vocabSize: tokenizer.vocabSize, layers: 1, dModel: 16, heads: 2, context: 8, positions: 'alibi' }), { lm: true }, tokenizer, 3);
  const forward = await model.sequenceOutputs(BigInt64Array.from([1n, 2n, 3n, 4n]), 1, 4);
  const swapped = await model.sequenceOutputs(BigInt64Array.from([2n, 1n, 3n, 4n]), 1, 4);
  assert.ok(Math.abs(forward.logProbs[2] - swapped.logProbs[2]) > 1e-6, 'the last token\'s prediction depends on the order before it');
  await model.release();
});
