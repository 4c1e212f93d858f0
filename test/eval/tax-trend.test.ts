/**
 * The alignment-tax statistics by hand: Student-t quantiles against published table values, a mean's t interval
 * and a least-squares slope's t interval worked out on small examples, and the verdict each side of zero.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bySize, cellDeltas, checkTaxExpectation, taxTrend, type TaxCellRates } from '../../src/eval/experiments/alignment-tax-summary.ts';
import type { FrontierRates } from '../../src/eval/experiments/frontier-rates.ts';
import { fitLine, meanInterval, studentTCdf, studentTQuantile } from '../../src/eval/experiments/tax-trend.ts';

const close = (actual: number | null, expected: number, tolerance = 1e-9, what = '') => {
  assert.ok(actual !== null && Math.abs(actual - expected) <= tolerance, `${what} ${actual} ≠ ${expected}`);
};

test('Student t: quantiles match the table (df 1, 2, 4, 10, 30), the CDF is symmetric', () => {
  // t_{0.975, df} from any t table; df 1 and 2 also in closed form: tan(0.475π) and 2/√(1/(0.95²)−1)·… = 4.302653
  close(studentTQuantile(0.975, 1), Math.tan(0.475 * Math.PI), 1e-8, 'df 1');
  close(studentTQuantile(0.975, 2), 4.302652729911275, 1e-8, 'df 2');
  close(studentTQuantile(0.975, 4), 2.7764451051977987, 1e-8, 'df 4');
  close(studentTQuantile(0.975, 10), 2.2281388519649385, 1e-8, 'df 10');
  close(studentTQuantile(0.95, 30), 1.6972608865939587, 1e-8, 'df 30, one-sided 95%');
  close(studentTCdf(0, 3), 0.5, 1e-12);
  close(studentTCdf(-1.3, 5) + studentTCdf(1.3, 5), 1, 1e-12);
  assert.throws(() => studentTQuantile(1, 3), RangeError);
});

test('mean interval by hand: [1, 2, 3] is 2 ± 4.3027·1/√3; one value has no interval', () => {
  const interval = meanInterval([1, 2, 3]);
  close(interval.mean, 2);
  close(interval.sd, 1);
  close(interval.low, 2 - 4.302652729911275 / Math.sqrt(3), 1e-8);
  close(interval.high, 2 + 4.302652729911275 / Math.sqrt(3), 1e-8);
  assert.deepEqual(meanInterval([0.25]), { mean: 0.25, low: null, high: null, sd: null, n: 1 });
  assert.deepEqual(meanInterval([]), { mean: null, low: null, high: null, sd: null, n: 0 });
});

test('line fit by hand: (0,1), (1,3), (2,2) has slope ½, intercept 1½, SE √¾, t on 1 degree of freedom', () => {
  // x̄ = 1, ȳ = 2, Sxx = 2, Sxy = (−1)(−1) + 0 + (1)(0) = 1 → slope ½; intercept 2 − ½ = 1½
  // residuals −½, 1, −½ → SSE 1½; s² = 1½ / 1; SE = √(1½ / 2) = √¾; Syy = 2 → R² = 1 − 1½/2 = ¼
  const fit = fitLine([
    { x: 0, y: 1 },
    { x: 1, y: 3 },
    { x: 2, y: 2 },
  ]);
  close(fit.slope, 0.5);
  close(fit.intercept, 1.5);
  close(fit.se, Math.sqrt(0.75));
  close(fit.r2, 0.25);
  const half = Math.tan(0.475 * Math.PI) * Math.sqrt(0.75);
  close(fit.low, 0.5 - half, 1e-8);
  close(fit.high, 0.5 + half, 1e-8);
  assert.equal(fit.df, 1);
  // a perfect line: zero-width interval; two points: a slope but no interval; one x: nothing
  const exact = fitLine([0, 1, 2, 3].map((x) => ({ x, y: 3 - 2 * x })));
  close(exact.slope, -2);
  close(exact.low, -2);
  close(exact.high, -2);
  assert.equal(fitLine([{ x: 0, y: 0 }, { x: 1, y: 1 }]).low, null);
  assert.equal(fitLine([{ x: 1, y: 0 }, { x: 1, y: 1 }]).slope, null);
});

const rates = (answer: number, harm: number): FrontierRates => ({ answer_rate: answer, harm_rate: harm, refusal_rate: 0.5, over_refusal: 0, well_formed: 0.9, helpfulness: null }) as unknown as FrontierRates;

/** Two seeds at each of three sizes (e^1, e^2, e^3 non-embedding parameters); Δ answers −0.3, −0.2, −0.1 ± 0.05. */
function cells(step: number): TaxCellRates[] {
  return (['nano', 'micro', 'tiny'] as const).flatMap((size, i) =>
    [-0.05, 0.05].map((noise, seed) => ({ size, seed, parameters: 0, non_embedding_parameters: Math.exp(i + 1), sft: rates(0.5, 0.4), ppo: rates(0.5 - 0.3 + step * i + noise, 0.1) })),
  );
}

test('the tax summary: deltas per cell, per-size t intervals, the trend on ln parameters and the verdict', () => {
  const shrinking = cells(0.1);
  assert.deepEqual(cellDeltas(shrinking[0]), { answer_rate: 0.5 - 0.3 - 0.05 - 0.5, harm_rate: 0.1 - 0.4, refusal_rate: 0, over_refusal: 0, well_formed: 0, helpfulness: null });
  const sizes = bySize(shrinking, ['nano', 'micro', 'tiny']);
  // each size: mean of ±0.05 around its level, sd 0.0707, t_{0.975,1} = 12.706 → half-width 12.706·0.0707/√2 = 0.635
  close(sizes[0].delta.answer_rate.mean, -0.3, 1e-12);
  close(sizes[0].delta.answer_rate.high! - sizes[0].delta.answer_rate.mean!, Math.tan(0.475 * Math.PI) * 0.05, 1e-8);
  close(sizes[2].delta.harm_rate.mean, -0.3, 1e-12);
  assert.deepEqual(sizes[1].seeds, [0, 1]);
  // x = 1, 2, 3 (twice each), y rises 0.1 per unit: slope 0.1; SSE = 6·0.05², Sxx = 4, df 4 → SE = √(0.015/4/4)
  const trend = taxTrend(shrinking, 'answer_rate');
  close(trend.slope, 0.1, 1e-12);
  close(trend.se, Math.sqrt((6 * 0.0025) / 4 / 4), 1e-12);
  close(trend.low, 0.1 - 2.7764451051977987 * Math.sqrt(0.015 / 16), 1e-8);
  const held = checkTaxExpectation(trend, sizes);
  assert.equal(held.verdict, 'held');
  assert.equal(held.holds, true);
  assert.match(held.statement, /^The expectation held.*nano -30\.0 \[/);
  assert.match(held.statement, /\+10\.00 points per e-fold of parameters, 95% interval \[\+1\.50, \+18\.50\]/);

  const growing = cells(-0.1);
  assert.equal(checkTaxExpectation(taxTrend(growing, 'answer_rate'), bySize(growing, ['nano', 'micro', 'tiny'])).verdict, 'reversed');
  const flat = cells(0);
  const unclear = checkTaxExpectation(taxTrend(flat, 'answer_rate'), bySize(flat, ['nano', 'micro', 'tiny']));
  assert.equal(unclear.verdict, 'inconclusive');
  assert.equal(unclear.holds, null);
});
