/**
 * The pure parts of `hhrl online run`: Elo ratings fitted from pairwise results against values computed by hand,
 * the Elo-per-PM-point slope, how a round's pairs are split between the current policy and earlier snapshots, and
 * the labelers that are refused because they are not built.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ELO_PER_NAT, fitElo, fitEloSlope, gapPoints } from '../../src/online/run/elo.ts';
import { parseLabeler } from '../../src/online/run/labeler.ts';
import { partnerCounts } from '../../src/online/run/mixed-collect.ts';
import { ConfigError } from '../../src/spec/errors.ts';

const close = (actual: number, expected: number, tolerance = 1e-6) => assert.ok(Math.abs(actual - expected) < tolerance, `${actual} ≠ ${expected}`);

test('Elo by hand: a beats b 3 games of 4 → 400·log10(3) ≈ 190.85', () => {
  const ratings = fitElo(['a', 'b'], [{ a: 'a', b: 'b', wins: 3, games: 4 }], { anchor: 'b', priorDraws: 0 });
  close(ratings.b, 0);
  close(ratings.a, 400 * Math.log10(3));
  close(ratings.a, 190.848501887865);
});

test('Elo by hand: three players whose results fit Bradley–Terry exactly get ratings 0, 190.85, 381.70', () => {
  // γa/γb = 3, γb/γc = 3, so a should beat c 9 times in 10: the maximum-likelihood ratings reproduce every pair
  const results = [
    { a: 'a', b: 'b', wins: 3, games: 4 },
    { a: 'b', b: 'c', wins: 6, games: 8 },
    { a: 'c', b: 'a', wins: 1, games: 10 },
  ];
  const ratings = fitElo(['c', 'b', 'a'], results, { anchor: 'c', priorDraws: 0 });
  close(ratings.c, 0);
  close(ratings.b, 190.848501887865);
  close(ratings.a, 381.69700377573);
});

test('Elo: virtual draws keep a clean sweep finite, an impossible fit is refused', () => {
  // 1 win and 3 ties of 4 (wins 2.5 of 4): 400·log10(2.5/1.5)
  close(fitElo(['a', 'b'], [{ a: 'a', b: 'b', wins: 2.5, games: 4 }], { anchor: 'b', priorDraws: 0 }).a, 400 * Math.log10(2.5 / 1.5));
  // one virtual draw: a wins 3.5 of 5 → 400·log10(3.5/1.5)
  const prior = fitElo(['a', 'b'], [{ a: 'a', b: 'b', wins: 3, games: 4 }], { anchor: 'b', priorDraws: 1 });
  close(prior.a, 400 * Math.log10(3.5 / 1.5));
  // a sweep: finite only with the prior (4.5 of 5 → 400·log10(9))
  close(fitElo(['a', 'b'], [{ a: 'a', b: 'b', wins: 4, games: 4 }], { anchor: 'b', priorDraws: 1 }).a, 400 * Math.log10(9));
  assert.throws(() => fitElo(['a', 'b'], [{ a: 'a', b: 'b', wins: 4, games: 4 }], { anchor: 'b', priorDraws: 0 }), /won every game/);
  assert.throws(() => fitElo(['a', 'b'], [{ a: 'a', b: 'x', wins: 1, games: 2 }], { anchor: 'a', priorDraws: 1 }), /x is not among the players/);
  // nothing but draws: everyone at the anchor's rating
  assert.deepEqual(fitElo(['a', 'b', 'c'], [], { anchor: 'a', priorDraws: 1 }), { a: 0, b: 0, c: 0 });
});

test('the Elo-per-PM-point slope: least squares through the origin, beside the paper\'s 400/ln 10', () => {
  close(ELO_PER_NAT, 173.71779276130073);
  // points (1, 100) and (2, 300): slope (100 + 600) / (1 + 4) = 140; residuals −40, 20 → R² = 1 − 2000/100000
  const fit = fitEloSlope([
    { a: 'x', b: 'y', scoreGap: 1, eloGap: 100 },
    { a: 'x', b: 'z', scoreGap: 2, eloGap: 300 },
  ]);
  close(fit.slope!, 140);
  close(fit.r2!, 0.98);
  assert.equal(fit.pairs, 2);
  assert.equal(fit.paper_slope, ELO_PER_NAT);
  assert.equal(fitEloSlope([{ a: 'x', b: 'y', scoreGap: 0, eloGap: 10 }]).slope, null);
  // every pair i < j, gaps i − j
  assert.deepEqual(gapPoints(['s', 'r0', 'r1'], { s: 0, r0: 50, r1: 80 }, { s: 1, r0: 1.5, r1: 2 }), [
    { a: 's', b: 'r0', eloGap: -50, scoreGap: -0.5 },
    { a: 's', b: 'r1', eloGap: -80, scoreGap: -1 },
    { a: 'r0', b: 'r1', eloGap: -30, scoreGap: -0.5 },
  ]);
});

test('a round\'s pairs: the earlier share split evenly over earlier snapshots, the remainder to the most recent', () => {
  assert.deepEqual(partnerCounts(10, 0.5, ['sft', 'round-0']), [[null, 5], ['sft', 2], ['round-0', 3]]);
  assert.deepEqual(partnerCounts(12, 0.5, ['sft']), [[null, 6], ['sft', 6]]);
  assert.deepEqual(partnerCounts(7, 0.5, []), [[null, 7]], 'no earlier snapshot: every pair from the current policy');
  assert.deepEqual(partnerCounts(9, 0, ['sft', 'round-0']), [[null, 9], ['sft', 0], ['round-0', 0]]);
});

test('--labeler: world, feedback:STORE and judge:openai:MODEL parse; other forms are refused', () => {
  assert.deepEqual(parseLabeler('world'), { kind: 'world', target: '' });
  assert.deepEqual(parseLabeler('feedback:runs/feedback.sqlite'), { kind: 'feedback', target: 'runs/feedback.sqlite' });
  assert.deepEqual(parseLabeler('feedback:postgres://u@h:5432/labels'), { kind: 'feedback', target: 'postgres://u@h:5432/labels' });
  assert.deepEqual(parseLabeler('judge:openai:gpt-4o-mini'), { kind: 'judge', target: 'openai:gpt-4o-mini' });
  for (const bad of ['people', 'world:x', 'judge:gpt', 'feedback']) {
    assert.throws(() => parseLabeler(bad), (error: Error) => error instanceof ConfigError && /expected one of world, feedback:STORE, judge:openai:MODEL/.test(error.message), bad);
  }
});
