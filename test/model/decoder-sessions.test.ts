/**
 * Decoding sessions bake the weights in (`decoder-sessions.ts`): after the weights change — replaced
 * by a training step or edited in place — generation computes with the new ones, and log-probs still
 * equal a full recomputation.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as E from '../../src/engine/index.ts';
import { parseGptConfig } from '../../src/model/gpt-config.ts';
import { GptModel } from '../../src/model/gpt-model.ts';
import { DecoderSessions } from '../../src/model/decoder-sessions.ts';
import { BpeTokenizer } from '../../src/model/tokenizer/index.ts';

const tokenizer = BpeTokenizer.fromBytes();

async function assertMatchesRecomputation(model: GptModel, prompts: number[][]): Promise<number[][]> {
  const generations = await model.generate(prompts, { maxNewTokens: 6, seed: 3 });
  for (const generation of generations) {
    const all = [...generation.promptTokens, ...generation.tokens];
    const full = await model.sequenceOutputs(BigInt64Array.from(all.map(BigInt)), 1, all.length);
    const reference = full.logProbs.slice(generation.promptTokens.length - 1);
    generation.logProbs.forEach((value, i) => assert.ok(Math.abs(value - reference[i]) < 1e-4, `token ${i}: ${value} vs ${reference[i]}`));
  }
  return generations.map((generation) => generation.logProbs);
}

test('generation follows weight changes (replaced and edited in place) and matches recomputation', async () => {
  const config = parseGptConfig({ vocabSize: tokenizer.vocabSize, layers: 1, dModel: 16, heads: 2, context: 16 });
  const model = GptModel.create(config, { lm: true }, tokenizer, 2);
  const prompts = [tokenizer.encode('hi'), tokenizer.encode('abc')];
  const first = await assertMatchesRecomputation(model, prompts); // plain session
  assert.deepEqual(await assertMatchesRecomputation(model, prompts), first, 'baked session: same output');
  model.params = Float32Array.from(model.params, (value) => value * 3);
  const replaced = await assertMatchesRecomputation(model, prompts);
  assert.notDeepEqual(replaced, first);
  assert.deepEqual(await assertMatchesRecomputation(model, prompts), replaced, 'baked again for the new weights');
  for (let i = 0; i < model.params.length; i += 2) model.params[i] = -model.params[i];
  const edited = await assertMatchesRecomputation(model, prompts);
  assert.notDeepEqual(edited, replaced);
  assert.deepEqual(await assertMatchesRecomputation(model, prompts), edited);
  await model.release();
});

test('DecoderSessions: plain session for new weights, baked from the second sighting, replaced sessions freed once unheld', async () => {
  const compiled: { weights: Float32Array; released: boolean }[] = [];
  const plainGraph = { release: async () => {} } as unknown as E.CompiledGraph;
  const sessions = new DecoderSessions(
    async (_key, weights) => {
      const record = { weights, released: false };
      compiled.push(record);
      return { release: async () => void (record.released = true) } as unknown as E.CompiledGraph;
    },
    async () => plainGraph,
  );
  const weights = Float32Array.of(1, 2, 3);
  const first = sessions.acquire('16:sample', weights);
  assert.equal(await first.graph, plainGraph, 'first sighting: plain');
  first.done();
  const a = sessions.acquire('16:sample', weights);
  const b = sessions.acquire('16:sample', Float32Array.from(weights));
  assert.equal(compiled.length, 1, 'second sighting bakes; equal values share the session');
  assert.notEqual(await a.graph, plainGraph);
  weights[1] = 5;
  assert.equal(await sessions.acquire('16:sample', weights).graph, plainGraph, 'changed weights: plain again');
  assert.equal(compiled.length, 1);
  const c = sessions.acquire('16:sample', weights);
  assert.equal(compiled.length, 2);
  assert.deepEqual(Array.from(compiled[1].weights), [1, 5, 3], 'a snapshot of the new values');
  weights[0] = 9;
  assert.deepEqual(Array.from(compiled[1].weights), [1, 5, 3], 'the snapshot does not follow later edits');
  a.done();
  a.done();
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(compiled[0].released, false, 'still held by b');
  b.done();
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(compiled[0].released, true);
  c.done();
  await sessions.clear();
  assert.equal(compiled[1].released, true);
});

test('CompiledGraph.compile with constants: view inputs become initializers with the values at compile time', async () => {
  const g = new E.Graph();
  const w = g.viewInput('params', 'w', 'float32', 2, [2]);
  const x = g.input('x', 'float32', [2]);
  g.output(E.mul(w, x), 'y');
  const params = Float32Array.of(0, 0, 3, 4, 0);
  const compiled = await E.CompiledGraph.compile(g, {}, { params });
  assert.deepEqual(compiled.inputNames, ['x']);
  params[2] = 100;
  const out = await compiled.run({ x: { data: Float32Array.of(1, 2), shape: [2] } });
  assert.deepEqual(Array.from(out.y.data as Float32Array), [3, 8]);
  await compiled.release();
});
