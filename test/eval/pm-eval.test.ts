/**
 * PM evaluation: calibration bins and ECE on hand-made and on synthetic predictions of known calibration,
 * accuracy/gold accuracy/baselines on hand-scored pairs, and an HTML report that escapes what it shows.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { calibrate } from '../../src/eval/calibration.ts';
import { evaluateScores } from '../../src/eval/pm-eval.ts';
import { renderPmReportHtml } from '../../src/report/pm-report.ts';
import type { PreferencePair } from '../../src/data/specs/preference-pairs.ts';
import { Random } from '../../src/util/random.ts';

test('reliability bins and ECE on a 6-prediction hand example, edges included', () => {
  // Folded onto the predicted side, confidence q = max(p, 1 − p), hit = the outcome fell on that side:
  //   p    0.95  0.85  0.6   0.4   0.3   0.55
  //   out  T     T     F     F     T     T
  //   q    0.95  0.85  0.6   0.6   0.7   0.55
  //   hit  T     T     F     T     F     T
  // 5 bins [0.5,0.6) [0.6,0.7) [0.7,0.8) [0.8,0.9) [0.9,1]; 0.6 and 0.7 sit on lower edges:
  //   bin 0: {0.55 T}          n 1, conf 0.55, acc 1,   |gap| 0.45
  //   bin 1: {0.6 F, 0.6 T}    n 2, conf 0.6,  acc 0.5, |gap| 0.10
  //   bin 2: {0.7 F}           n 1, conf 0.7,  acc 0,   |gap| 0.70
  //   bin 3: {0.85 T}          n 1, conf 0.85, acc 1,   |gap| 0.15
  //   bin 4: {0.95 T}          n 1, conf 0.95, acc 1,   |gap| 0.05
  // ECE = Σ n_b/N·|gap_b| = (0.45 + 2·0.10 + 0.70 + 0.15 + 0.05) / 6 = 1.55 / 6 = 0.258333…
  const result = calibrate([0.95, 0.85, 0.6, 0.4, 0.3, 0.55], [true, true, false, false, true, true], 5);
  assert.equal(result.count, 6);
  const close = (actual: number | null, expected: number, what: string) => assert.ok(actual !== null && Math.abs(actual - expected) < 1e-12, `${what}: ${actual} ≠ ${expected}`);
  const expected = [
    { low: 0.5, high: 0.6, count: 1, confidence: 0.55, accuracy: 1 },
    { low: 0.6, high: 0.7, count: 2, confidence: 0.6, accuracy: 0.5 },
    { low: 0.7, high: 0.8, count: 1, confidence: 0.7, accuracy: 0 },
    { low: 0.8, high: 0.9, count: 1, confidence: 0.85, accuracy: 1 },
    { low: 0.9, high: 1, count: 1, confidence: 0.95, accuracy: 1 },
  ];
  assert.equal(result.bins.length, 5);
  expected.forEach((bin, index) => {
    const got = result.bins[index];
    close(got.low, bin.low, `bin ${index} low`);
    close(got.high, bin.high, `bin ${index} high`);
    assert.equal(got.count, bin.count, `bin ${index} count`);
    close(got.confidence, bin.confidence, `bin ${index} confidence`);
    assert.equal(got.accuracy, bin.accuracy, `bin ${index} accuracy`);
  });
  close(result.ece, 1.55 / 6, 'ECE');
});

test('calibration ends: p = 1 falls in the last bin, p = 0.5 counts its outcome as the hit, empty bins are null', () => {
  // q 1 (miss: outcome false) → bin 4, acc 0, |gap| 1; q 0.5 (hit: outcome true) → bin 0, acc 1, |gap| 0.5
  // ECE = ½·1 + ½·0.5 = 0.75
  const ends = calibrate([1, 0.5], [false, true], 5);
  assert.deepEqual(ends.bins.map((bin) => bin.count), [1, 0, 0, 0, 1]);
  assert.deepEqual([ends.bins[0].accuracy, ends.bins[4].accuracy], [1, 0]);
  assert.deepEqual([ends.bins[1].confidence, ends.bins[1].accuracy], [null, null]);
  assert.equal(ends.ece, 0.75);
  const empty = calibrate([], []);
  assert.deepEqual([empty.count, empty.ece, empty.bins.length], [0, 0, 10], 'no predictions: ECE 0 over 10 empty bins');
  assert.ok(empty.bins.every((bin) => bin.count === 0 && bin.confidence === null));
  assert.throws(() => calibrate([1.2], [true]), /probability 1\.2 at 0 is outside \[0, 1\]/);
  assert.throws(() => calibrate([0.5], [true, false]), /1 predictions for 2 outcomes/);
  assert.throws(() => calibrate([0.5], [true], 0), /binCount must be a positive integer/);
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
  // calibration of P(chosen) = σ(chosen − rejected), 10 bins of width 0.05: a and c give σ(1) = 0.7310585786
  // (hit, bin 4), b gives σ(−3), folded to σ(3) = 0.9525741268 (miss, bin 9), the tie d gives 0.5 (hit, bin 0).
  // ECE = ¼·|1 − 0.5| + ½·|1 − σ(1)| + ¼·|0 − σ(3)| = 0.125 + 0.1344707107 + 0.2381435317 = 0.4976142424
  assert.deepEqual(report.calibration.bins.map((bin) => bin.count), [1, 0, 0, 0, 2, 0, 0, 0, 0, 1]);
  assert.ok(Math.abs(report.calibration.bins[4].confidence! - 0.7310585786300049) < 1e-12);
  assert.ok(Math.abs(report.calibration.bins[9].confidence! - 0.9525741268224334) < 1e-12);
  assert.deepEqual([report.calibration.bins[4].accuracy, report.calibration.bins[9].accuracy], [1, 0]);
  assert.ok(Math.abs(report.ece - 0.4976142423906059) < 1e-12, `ECE ${report.ece}`);
  assert.equal(report.ece, report.calibration.ece);
  // Wilson 95% interval of 2/4: centre (½ + z²/8)/(1 + z²/4) = 0.5, half-width 0.349961 (z = 1.959964)
  assert.deepEqual(report.ci95, [0.150039, 0.849961]);
  const withoutGold = evaluateScores([pair('e', 'a', 'b', 'helpful', null, null)], [1], [0]);
  assert.equal(withoutGold.gold_accuracy, null);
  assert.equal(withoutGold.gold_ci95, null);
  assert.throws(() => evaluateScores(pairs, [1], [0]), RangeError);
});

test('evaluateScores on 6 pairs with log-odds scores: accuracy, interval, bins and ECE by hand', () => {
  // Score gaps are log-odds, so σ(gap) is the stated probability that the chosen side wins:
  //   ln 3 → 0.75, −ln 3 → 0.25, ln 19 → 0.95, ln(13/7) → 0.65, −ln(17/3) → 0.15, ln(11/9) → 0.55.
  // The labelled side always won, so folded: (q, hit) = (0.75 T) (0.75 F) (0.95 T) (0.65 T) (0.85 F) (0.55 T).
  // 5 bins: 0 {0.55 T} |gap| 0.45 · 1 {0.65 T} 0.35 · 2 {0.75 T, 0.75 F} acc 0.5, 0.25 · 3 {0.85 F} 0.85 · 4 {0.95 T} 0.05
  // ECE = (0.45 + 0.35 + 2·0.25 + 0.85 + 0.05) / 6 = 2.2 / 6 = 0.366666…; accuracy 4/6 (gaps > 0).
  const gaps = [Math.log(3), -Math.log(3), Math.log(19), Math.log(13 / 7), -Math.log(17 / 3), Math.log(11 / 9)];
  const pairs = gaps.map((_, i) => pair(`p${i}`, `\n\nHuman: q${i}\n\nAssistant: yes`, `\n\nHuman: q${i}\n\nAssistant: no`, i < 3 ? 'helpful' : 'harmless', 'chosen', null));
  const report = evaluateScores(pairs, gaps, gaps.map(() => 0), 5);
  assert.equal(report.n, 6);
  assert.equal(report.accuracy, 4 / 6);
  assert.equal(report.gold_accuracy, 4 / 6);
  assert.deepEqual(report.by_task.helpful, { n: 3, accuracy: 2 / 3, gold_accuracy: 2 / 3, gold_n: 3 });
  assert.deepEqual(report.by_task.harmless, { n: 3, accuracy: 2 / 3, gold_accuracy: 2 / 3, gold_n: 3 });
  assert.deepEqual(report.by_family, {}, 'no family on these pairs');
  // Wilson 95% interval of 4/6, z = 1.959964: centre (2/3 + z²/12)/(1 + z²/6) = 0.601611,
  // half-width z·√(2/9/6 + z²/144)/(1 + z²/6) = 0.301618
  assert.deepEqual(report.ci95, [0.299993, 0.903229]);
  assert.deepEqual(report.gold_ci95, [0.299993, 0.903229]);
  assert.deepEqual(report.calibration.bins.map((bin) => bin.count), [1, 1, 2, 1, 1]);
  assert.deepEqual(report.calibration.bins.map((bin) => bin.accuracy), [1, 1, 0.5, 0, 1]);
  [0.55, 0.65, 0.75, 0.85, 0.95].forEach((confidence, index) =>
    assert.ok(Math.abs(report.calibration.bins[index].confidence! - confidence) < 1e-12, `bin ${index}: ${report.calibration.bins[index].confidence}`),
  );
  assert.ok(Math.abs(report.ece - 2.2 / 6) < 1e-12, `ECE ${report.ece}`);
  // "yes" is longer than "no": the chosen side is the longer one in every pair
  assert.deepEqual(report.baselines, { chance: 0.5, longer_wins: 1, shorter_wins: 0 });
});

test('the HTML report escapes data specs and slice names and embeds an SVG chart', async () => {
  const hostile = '<script>alert(1)</script>';
  const pairs = [{ ...pair('a', 'xx', 'x', 'helpful', 'chosen', hostile), source: `"${hostile}` }];
  const html = await renderPmReportHtml(evaluateScores(pairs, [1], [0]), { model: hostile, data: [`world:${hostile}`] });
  assert.ok(!html.includes('<script>'), 'no raw script tag');
  assert.ok(html.includes('&#60;script&#62;'), 'escaped as entities');
  assert.ok(html.includes('<svg'));
  assert.ok(html.includes('observed frequency: 1; high:'), 'the reliability diagram charts the one bin (the chosen side won)');
  assert.ok(!/https?:\/\//.test(html.replaceAll('http://www.w3.org/2000/svg', '').replaceAll('http://www.w3.org/1999/xlink', '')), 'no external resources (the SVG namespaces are names, not fetched)');
});
