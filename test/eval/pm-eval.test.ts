/**
 * PM evaluation: calibration bins and ECE on hand-made and on synthetic predictions of known calibration,
 * accuracy/gold accuracy/baselines on hand-scored pairs, and an HTML report that escapes what it shows.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { calibrate, sigmoid } from '../../src/eval/calibration.ts';
import { evaluateScores } from '../../src/eval/pm-eval.ts';
import { renderPmReportHtml } from '../../src/eval/pm-report-html.ts';
import type { PreferencePair } from '../../src/train/preference/pm-data.ts';
import { Random } from '../../src/util/random.ts';

test('reliability bins and ECE on a hand example', () => {
  // folded confidences 0.92, 0.92, 0.64, 0.64 (0.36 predicts the other side); hits T, F, T, T
  const result = calibrate([0.92, 0.92, 0.64, 0.36], [true, false, true, false], 5);
  assert.equal(result.count, 4);
  assert.deepEqual(result.bins.map((bin) => bin.count), [0, 2, 0, 0, 2]);
  assert.ok(Math.abs(result.bins[1].confidence! - 0.64) < 1e-12);
  assert.equal(result.bins[1].accuracy, 1);
  assert.equal(result.bins[4].accuracy, 0.5);
  assert.ok(Math.abs(result.ece - (0.5 * 0.36 + 0.5 * 0.42)) < 1e-12, String(result.ece));
  assert.equal(result.bins[0].confidence, null);
  assert.throws(() => calibrate([1.2], [true]), RangeError);
});

test('ECE is near 0 for calibrated predictions and near 0.125 for overconfident ones', () => {
  const random = new Random(11);
  const n = 40_000;
  const p = Array.from({ length: n }, () => random.next());
  const calibrated = calibrate(p, p.map((value) => random.chance(value)));
  assert.ok(calibrated.ece < 0.015, `calibrated ECE ${calibrated.ece}`);
  // true frequency 0.5 + (p − 0.5)/2: the folded gap is (q − 0.5)/2 with q ~ U(0.5, 1), mean 0.125
  const overconfident = calibrate(p, p.map((value) => random.chance(0.5 + (value - 0.5) / 2)));
  assert.ok(Math.abs(overconfident.ece - 0.125) < 0.01, `overconfident ECE ${overconfident.ece}`);
  for (const bin of overconfident.bins) assert.ok(bin.accuracy! < bin.confidence!, 'every bin is overconfident');
});

const pair = (id: string, chosen: string, rejected: string, task: 'helpful' | 'harmless', gold: 'chosen' | 'rejected' | null, family: string | null): PreferencePair => ({
  id, chosen, rejected, task, strength: null, gold, family, category: family === null ? null : `${family}-cat`, source: 'test',
});

test('accuracy, gold accuracy, breakdowns, interval and length baselines on hand-scored pairs', () => {
  const pairs = [
    pair('a', '\n\nHuman: x\n\nAssistant: long answer', '\n\nHuman: x\n\nAssistant: no', 'helpful', 'chosen', 'benign'),
    pair('b', '\n\nHuman: x\n\nAssistant: no', '\n\nHuman: x\n\nAssistant: long answer', 'helpful', 'rejected', 'benign'),
    pair('c', '\n\nHuman: y\n\nAssistant: ab', '\n\nHuman: y\n\nAssistant: cd', 'harmless', 'chosen', 'harmful'),
    pair('d', '\n\nHuman: y\n\nAssistant: refuse', '\n\nHuman: y\n\nAssistant: ok', 'harmless', 'chosen', 'harmful'),
  ];
  // model prefers chosen on a, c; rejected on b; ties on d
  const report = evaluateScores(pairs, [2, 0, 1, 0.5], [1, 3, 0, 0.5]);
  assert.equal(report.n, 4);
  assert.equal(report.accuracy, 0.5); // a, c right; b wrong; tie wrong
  assert.equal(report.gold_accuracy, 0.75); // a, c (gold chosen), b (gold rejected, model prefers rejected)
  assert.equal(report.gold_n, 4, 'every pair has a gold label');
  assert.deepEqual(report.by_task.helpful, { n: 2, accuracy: 0.5, gold_accuracy: 1, gold_n: 2 });
  assert.deepEqual(report.by_task.harmless, { n: 2, accuracy: 0.5, gold_accuracy: 0.5, gold_n: 2 });
  assert.deepEqual(report.by_family.benign, { n: 2, accuracy: 0.5, gold_accuracy: 1, gold_n: 2 });
  assert.equal(report.by_category['harmful-cat'].n, 2);
  // lengths: a longer chosen, b shorter, c tie (half), d longer → longer wins 2.5 / 4
  assert.equal(report.baselines.longer_wins, 0.625);
  assert.equal(report.baselines.shorter_wins, 0.375);
  assert.ok(report.ci95![0] < 0.5 && report.ci95![1] > 0.5);
  const probabilities = [1, -3, 1, 0].map(sigmoid);
  assert.equal(report.calibration.count, probabilities.length);
  const withoutGold = evaluateScores([pair('e', 'a', 'b', 'helpful', null, null)], [1], [0]);
  assert.equal(withoutGold.gold_accuracy, null);
  assert.equal(withoutGold.gold_ci95, null);
  assert.throws(() => evaluateScores(pairs, [1], [0]), RangeError);
});

test('the HTML report escapes data specs and slice names and embeds an SVG chart', () => {
  const hostile = '<script>alert(1)</script>';
  const pairs = [{ ...pair('a', 'xx', 'x', 'helpful', 'chosen', hostile), source: `"${hostile}` }];
  const html = renderPmReportHtml(evaluateScores(pairs, [1], [0]), { model: hostile, data: [`world:${hostile}`] });
  assert.ok(!html.includes('<script>'), 'no raw script tag');
  assert.ok(html.includes('&#60;script&#62;'), 'escaped as entities');
  assert.ok(html.includes('<svg'));
  assert.ok(!/https?:\/\//.test(html.replace('http://www.w3.org/2000/svg', '')), 'no external resources');
});
