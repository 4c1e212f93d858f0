/**
 * The preference-model loss: exact values computed by hand, and a float64 gradient check of the whole PM
 * step loss (trunk + sequence head + Bradley–Terry with margins and pair weights).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as E from '../../src/engine/index.ts';
import { gptParamSpecs } from '../../src/model/gpt.ts';
import { parseGptConfig } from '../../src/model/gpt-config.ts';
import { pmLoss, preferenceLoss } from '../../src/train/preference/pm-loss.ts';
import { pairLossAndAccuracy } from '../../src/train/preference/pm-validation.ts';
import { Random } from '../../src/util/random.ts';

async function evaluateLoss(chosen: number[], rejected: number[], margins: number[], weights: number[]) {
  const graph = new E.Graph('loss');
  const b = chosen.length;
  const input = (name: string) => graph.input(name, 'float64', [b]);
  const { loss, accuracy, pairs } = preferenceLoss(input('c'), input('r'), input('m'), input('w'));
  graph.output(loss, 'loss');
  graph.output(accuracy, 'accuracy');
  graph.output(pairs, 'pairs');
  const compiled = await E.CompiledGraph.compile(graph, { threads: 1 });
  const feed = (values: number[]) => ({ data: Float64Array.from(values), shape: [b] });
  const out = await compiled.run({ c: feed(chosen), r: feed(rejected), m: feed(margins), w: feed(weights) });
  await compiled.release();
  return { loss: Number(out.loss.data[0]), accuracy: Number(out.accuracy.data[0]), pairs: Number(out.pairs.data[0]) };
}

test('Bradley–Terry loss equals −log σ(Δr − m) averaged by hand', async () => {
  // Δ = 1, 0, −1: −log σ(1) = ln(1 + e⁻¹) = 0.31326…, −log σ(0) = ln 2, −log σ(−1) = ln(1 + e) = 1.31326…
  const plain = await evaluateLoss([1, 0, 2], [0, 0, 3], [0, 0, 0], [1, 1, 1]);
  const expected = (Math.log(1 + Math.exp(-1)) + Math.log(2) + Math.log(1 + Math.exp(1))) / 3;
  assert.ok(Math.abs(plain.loss - expected) < 1e-12, `${plain.loss} vs ${expected}`);
  assert.equal(plain.accuracy, 1 / 3); // only Δ = 1 > 0 counts; a tie is not a win
  assert.equal(plain.pairs, 3);
  // a margin of 0.5 on the first pair: −log σ(1 − 0.5); weight 0 drops the third pair entirely
  const weighted = await evaluateLoss([1, 0, 2], [0, 0, 3], [0.5, 0, 0], [1, 1, 0]);
  const expectedWeighted = (Math.log(1 + Math.exp(-0.5)) + Math.log(2)) / 2;
  assert.ok(Math.abs(weighted.loss - expectedWeighted) < 1e-12, `${weighted.loss} vs ${expectedWeighted}`);
  assert.equal(weighted.accuracy, 1 / 2);
  // large |Δ| stays finite: −log σ(−40) = 40 + ln(1 + e⁻⁴⁰)
  const extreme = await evaluateLoss([0], [40], [0], [1]);
  assert.ok(Math.abs(extreme.loss - 40) < 1e-12, String(extreme.loss));
  // the host-side twin used for validation agrees
  const host = pairLossAndAccuracy([1, 0, 2], [0, 0, 3]);
  assert.ok(Math.abs(host.loss - expected) < 1e-12);
  assert.equal(host.accuracy, 1 / 3);
});

test('the PM step loss passes a float64 gradient check (trunk, sequence head, margins, weights)', async () => {
  const config = parseGptConfig({ vocabSize: 7, layers: 1, dModel: 8, heads: 2, context: 5 });
  const layout = new E.ParamLayout(gptParamSpecs(config, { sequenceScalar: true }));
  const initial = Float64Array.from(layout.initialize(new Random(3)), (v) => v * 5);
  const build = pmLoss(config);
  const result = await E.gradCheck(
    (g, [flat]) => {
      const params = layout.bind(flat);
      const batch = {
        tokens: g.constant(BigInt64Array.of(1n, 4n, 2n, 6n, 0n, 5n, 3n, 0n, 0n, 0n, 2n, 2n, 1n, 3n, 4n, 6n, 1n, 1n, 0n, 0n), 'int64', [4, 5]),
        lengths: g.constant(BigInt64Array.of(4n, 2n, 5n, 3n), 'int64', [4]),
        margins: g.constant(Float64Array.of(0.3, 0), 'float64', [2]),
        weights: g.constant(Float64Array.of(1, 0.5), 'float64', [2]),
      };
      return build(g, params, batch).loss;
    },
    [{ shape: [layout.total], data: initial }],
    { relTol: 1e-5, absTol: 1e-6 },
  );
  assert.ok(result.worstRatio <= 1, `worst ratio ${result.worstRatio}, relative ${result.worstRelativeError}`);
});
