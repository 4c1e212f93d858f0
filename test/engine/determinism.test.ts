/**
 * Multi-threaded runs are exact and repeatable: the embedding gradient (scatter-add of repeated rows)
 * matches a float64 reference on 2 intra-op threads every run, and a training step on 2 threads gives
 * bit-identical parameters run after run (ORT's ScatterND raced here: see `scatterAddRows`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as E from '../../src/engine/index.ts';
import { GraphTrainer } from '../../src/engine/index.ts';
import { parseGptConfig } from '../../src/model/gpt-config.ts';
import { GptModel } from '../../src/model/gpt-model.ts';
import { lmBatchSpec, lmLoss } from '../../src/model/lm-loss.ts';
import { BpeTokenizer } from '../../src/model/tokenizer/index.ts';
import { Random } from '../../src/util/random.ts';

for (const [path, limit] of [['scatter', 0], ['one-hot matmul', Number.POSITIVE_INFINITY]] as const) {
  test(`scatterAddRows (${path}) with repeated rows on 2 threads: exact (float64 reference) and identical every run`, async () => {
    const random = new Random(11);
    const [rows, vocab, width] = [4096, 256, 64];
    const updates = Float32Array.from({ length: rows * width }, () => random.next() * 2 - 1);
    const indices = BigInt64Array.from({ length: rows }, () => BigInt(Math.floor(random.next() * vocab)));
    const reference = new Float64Array(vocab * width);
    for (let r = 0; r < rows; r++) for (let c = 0; c < width; c++) reference[Number(indices[r]) * width + c] += updates[r * width + c];
    const g = new E.Graph();
    g.output(E.scatterAddRows([vocab, width], g.input('i', 'int64', [rows]), g.input('u', 'float32', [rows, width]), limit), 'out');
    const compiled = await E.CompiledGraph.compile(g, { threads: 2 });
    let first: Float32Array | undefined;
    for (let run = 0; run < 12; run++) {
      const out = (await compiled.run({ u: { data: updates, shape: [rows, width] }, i: { data: indices, shape: [rows] } })).out.data as Float32Array;
      out.forEach((value, j) => assert.ok(Math.abs(value - reference[j]) < 1e-4, `run ${run}, entry ${j}: ${value} vs ${reference[j]}`));
      if (first === undefined) first = Float32Array.from(out);
      else assert.deepEqual(out, first, `run ${run} differs from run 0`);
    }
    await compiled.release();
  });
}

// 4096 token rows into the 258-row byte embedding (where ScatterND's race showed): the scatter path;
// 512 rows: the one-hot matmul (below ONE_HOT_SCATTER_LIMIT)
for (const batch of [32, 4]) {
  test(`a GPT training step on 2 threads gives bit-identical parameters every time (${batch * 128} tokens)`, async () => {
    const tokenizer = BpeTokenizer.fromBytes();
    const config = parseGptConfig({ vocabSize: tokenizer.vocabSize, layers: 1, dModel: 32, heads: 2, context: 128 });
    const model = GptModel.create(config, { lm: true }, tokenizer, 1);
    const random = new Random(5);
    const length = 128;
    assert.equal(batch * length * config.vocabSize <= E.ONE_HOT_SCATTER_LIMIT, batch === 4, 'each path is taken once');
    const ids = () => BigInt64Array.from({ length: batch * length }, () => BigInt(Math.floor(random.next() * 256)));
    const feeds = {
      tokens: { data: ids(), shape: [batch, length] },
      targets: { data: ids(), shape: [batch, length] },
      weights: { data: new Float32Array(batch * length).fill(1), shape: [batch, length] },
    };
    const optimizer = E.AdamWConfigSchema.parse({ learningRate: 1e-3, totalSteps: 10 });
    const results: Float32Array[] = [];
    for (let run = 0; run < 3; run++) {
      const trainer = new GraphTrainer(model.layout, lmBatchSpec(batch, length), lmLoss(config), optimizer, GraphTrainer.initialState(Float32Array.from(model.params)), { threads: 2 });
      await trainer.step([feeds]);
      await trainer.step([feeds]);
      results.push(Float32Array.from(trainer.state.params));
      await trainer.release();
    }
    assert.ok(results[0].some((value, i) => value !== model.params[i]), 'the steps changed the parameters');
    assert.deepEqual(results[1], results[0]);
    assert.deepEqual(results[2], results[0]);
  });
}

test('spinning intra-op threads (HHRL_SPIN=1 or the spinning option) change only speed: bit-identical parameters', async () => {
  const tokenizer = BpeTokenizer.fromBytes();
  const config = parseGptConfig({ vocabSize: tokenizer.vocabSize, layers: 1, dModel: 32, heads: 2, context: 64 });
  const model = GptModel.create(config, { lm: true }, tokenizer, 2);
  const random = new Random(6);
  const ids = () => BigInt64Array.from({ length: 4 * 64 }, () => BigInt(Math.floor(random.next() * 256)));
  const feeds = { tokens: { data: ids(), shape: [4, 64] }, targets: { data: ids(), shape: [4, 64] }, weights: { data: new Float32Array(4 * 64).fill(1), shape: [4, 64] } };
  const optimizer = E.AdamWConfigSchema.parse({ learningRate: 1e-3, totalSteps: 10 });
  const train = async (options: { spinning?: boolean }) => {
    const trainer = new GraphTrainer(model.layout, lmBatchSpec(4, 64), lmLoss(config), optimizer, GraphTrainer.initialState(Float32Array.from(model.params)), { threads: 2, ...options });
    await trainer.step([feeds]);
    await trainer.step([feeds]);
    const params = Float32Array.from(trainer.state.params);
    await trainer.release();
    return params;
  };
  const previous = process.env.HHRL_SPIN;
  try {
    delete process.env.HHRL_SPIN;
    const quiet = await train({});
    assert.ok(quiet.some((value, i) => value !== model.params[i]), 'the steps changed the parameters');
    assert.deepEqual(await train({ spinning: true }), quiet);
    process.env.HHRL_SPIN = '1';
    assert.deepEqual(await train({}), quiet);
    assert.deepEqual(await train({ spinning: false }), quiet, 'the option overrides the environment');
  } finally {
    if (previous === undefined) delete process.env.HHRL_SPIN;
    else process.env.HHRL_SPIN = previous;
  }
});
