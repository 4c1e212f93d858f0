/**
 * Host-side RL arithmetic on hand-worked numbers: GAE, the KL-penalised per-token reward, the KL
 * estimators (exact values and unbiasedness), leave-one-out advantages, whitening, reward normalisation,
 * the KL controllers and the reward-vs-√KL fit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gae, klPenalizedRewards } from '../../../src/train/ppo/gae.ts';
import { KL_CONTROLLERS, KlSettingsSchema, nextKlCoef } from '../../../src/train/rollout/kl-controller.ts';
import { KL_ESTIMATORS, sequenceKl, tokenKl } from '../../../src/train/rollout/kl.ts';
import { rlooAdvantages } from '../../../src/train/rloo/rloo-loss.ts';
import { linearFit, maskedMoments, runningMoments, updateMoments, momentsStd, whiten } from '../../../src/train/rollout/stats.ts';
import { iterationPrompts, normalizeRewards } from '../../../src/train/rollout/rl-iteration.ts';
import { RlCommonSchema } from '../../../src/train/rollout/rl-config.ts';
import { Random } from '../../../src/util/random.ts';

const close = (actual: number, expected: number, tolerance = 1e-12) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${actual} vs ${expected}`);

test('GAE on a hand-worked 3-step example (γ = 0.9, λ = 0.8)', () => {
  // V = [0.5, 0.4, 0.3], r = [0, 0, 1], V after the end = 0
  // δ₂ = 1 + 0.9·0 − 0.3 = 0.7                A₂ = 0.7
  // δ₁ = 0 + 0.9·0.3 − 0.4 = −0.13            A₁ = −0.13 + 0.72·0.7 = 0.374
  // δ₀ = 0 + 0.9·0.4 − 0.5 = −0.14            A₀ = −0.14 + 0.72·0.374 = 0.12928
  const { advantages, returns } = gae([0, 0, 1], [0.5, 0.4, 0.3], 0.9, 0.8);
  [0.12928, 0.374, 0.7].forEach((value, i) => close(advantages[i], value));
  [0.62928, 0.774, 1.0].forEach((value, i) => close(returns[i], value));
  // γ = λ = 1 (Bai et al.): every advantage is the reward-to-go minus the value
  const paper = gae([0, 0, 1], [0.5, 0.4, 0.3], 1, 1);
  [0.5, 0.6, 0.7].forEach((value, i) => close(paper.advantages[i], value));
  // λ = 0: one-step TD errors
  const td = gae([0, 0, 1], [0.5, 0.4, 0.3], 0.9, 0);
  [-0.14, -0.13, 0.7].forEach((value, i) => close(td.advantages[i], value));
  assert.throws(() => gae([0, 1], [0], 1, 1), RangeError);
});

test('per-token reward: −λ_KL·KL_t everywhere, plus r_PM at the last token', () => {
  const rewards = klPenalizedRewards(2, [0.5, -0.25, 1], 0.1);
  [-0.05, 0.025, 2 - 0.1].forEach((value, i) => close(rewards[i], value));
  assert.equal(klPenalizedRewards(2, [], 0.1).length, 0);
});

test('KL estimators on hand numbers, and k1/k3 are unbiased for KL(p‖q)', () => {
  // log π = ln ½, log π₀ = ln ¼: log r = ln ½
  close(KL_ESTIMATORS.k1(Math.log(0.5), Math.log(0.25)), Math.log(2));
  close(KL_ESTIMATORS.k2(Math.log(0.5), Math.log(0.25)), 0.5 * Math.log(2) ** 2);
  close(KL_ESTIMATORS.k3(Math.log(0.5), Math.log(0.25)), -0.5 + Math.log(2));
  const kl = tokenKl([Math.log(0.5), Math.log(0.2)], [Math.log(0.25), Math.log(0.4)]);
  close(kl[0], Math.log(2));
  close(kl[1], -Math.log(2));
  close(sequenceKl([Math.log(0.5), Math.log(0.2)], [Math.log(0.25), Math.log(0.4)]), 0);
  // Monte Carlo over y ~ p: the mean of k1 and of k3 approaches Σ p log(p/q)
  const p = [0.6, 0.3, 0.1];
  const q = [0.2, 0.5, 0.3];
  const exact = p.reduce((total, pi, i) => total + pi * Math.log(pi / q[i]), 0);
  const random = new Random(5);
  const sums = { k1: 0, k2: 0, k3: 0 };
  const n = 200_000;
  for (let s = 0; s < n; s++) {
    const u = random.next();
    const y = u < p[0] ? 0 : u < p[0] + p[1] ? 1 : 2;
    for (const name of ['k1', 'k2', 'k3'] as const) sums[name] += KL_ESTIMATORS[name](Math.log(p[y]), Math.log(q[y]));
  }
  close(sums.k1 / n, exact, 0.01);
  close(sums.k3 / n, exact, 0.01);
  assert.ok(sums.k2 / n > 0);
});

test('RLOO leave-one-out advantages by hand', () => {
  // groups of 2: [1, 2] → [1 − 2, 2 − 1]; [3, 6] → [−3, 3]
  assert.deepEqual(Array.from(rlooAdvantages([1, 2, 3, 6], 2)), [-1, 1, -3, 3]);
  // a group of 3: [1, 2, 6] → [1 − 4, 2 − 3.5, 6 − 1.5]
  assert.deepEqual(Array.from(rlooAdvantages([1, 2, 6], 3)), [-3, -1.5, 4.5]);
  // advantages of a group sum to zero (the baseline is unbiased)
  const advantages = rlooAdvantages([0.3, -1.2, 2.5, 0.7], 4);
  close(advantages.reduce((a, b) => a + b, 0), 0, 1e-12);
  assert.throws(() => rlooAdvantages([1, 2, 3], 2), RangeError);
  assert.throws(() => rlooAdvantages([1], 1), RangeError);
});

test('whitening, running moments and reward normalisation', () => {
  const white = whiten([1, 2, 3, 100], [1, 1, 1, 0]);
  close(white[0], -Math.sqrt(1.5), 1e-7);
  close(white[1], 0);
  close(white[3], 0);
  const unshifted = whiten([1, 3], undefined, false);
  close(unshifted[0], 1, 1e-7);
  close(unshifted[1], 3, 1e-7);
  // running moments over two batches equal those of all values at once
  const merged = updateMoments(updateMoments(runningMoments(), [1, 2, 3]), [10, 20]);
  const direct = maskedMoments([1, 2, 3, 10, 20]);
  close(merged.mean, direct.mean, 1e-12);
  close(momentsStd(merged), direct.std, 1e-12);
  const config = RlCommonSchema.parse({ rewardNormalization: 'running', rewardClip: 1 });
  const { scores, moments } = normalizeRewards(Float64Array.of(0, 2, 4), config, runningMoments());
  close(moments.mean, 2);
  close(scores[0], -1); // (0 − 2)/1.633 = −1.22, clipped to −1
  close(scores[1], 0);
  const none = normalizeRewards(Float64Array.of(0, 2, 4), RlCommonSchema.parse({ rewardNormalization: 'none' }), runningMoments());
  assert.deepEqual(Array.from(none.scores), [0, 2, 4]);
});

test('KL controllers: fixed keeps λ; adaptive moves it toward the target by at most 20%·n/H', () => {
  const control = KlSettingsSchema.parse({ klControl: 'adaptive', klTarget: 6, klHorizon: 100 });
  close(KL_CONTROLLERS.fixed(0.1, 50, 10, control), 0.1);
  close(nextKlCoef({ ...control, klControl: 'fixed' }, 0.1, 50, 10), 0.1);
  close(nextKlCoef(control, 0.1, 12, 10), 0.1 * (1 + 0.2 * 0.1));
  close(KL_CONTROLLERS.adaptive(0.1, 12, 10, control), 0.1 * (1 + 0.2 * 0.1)); // error clipped at +0.2
  close(KL_CONTROLLERS.adaptive(0.1, 5.4, 10, control), 0.1 * (1 - 0.1 * 0.1)); // error −0.1
  close(KL_CONTROLLERS.adaptive(0.1, 6, 10, control), 0.1);
});

test('least-squares fit of reward against √KL', () => {
  const exact = linearFit([0, 1, 2, 3], [1, 3, 5, 7]);
  close(exact.slope, 2);
  close(exact.intercept, 1);
  close(exact.r2!, 1);
  // x̄ = ȳ = 1.5; Sxx = 5; Sxy = 3.75 − 0.25 − 0.25 + 3.75 = 7 → slope 1.4, intercept 1.5 − 2.1 = −0.6;
  // SS_tot = 6.25 + 0.25 + 0.25 + 6.25 = 13
  const x = [0, 1, 2, 3];
  const y = [-1, 2, 1, 4];
  const fit = linearFit(x, y);
  close(fit.slope, 1.4);
  close(fit.intercept, -0.6);
  const ssRes = y.reduce((total, yi, i) => total + (yi - (-0.6 + 1.4 * x[i])) ** 2, 0);
  close(fit.r2!, 1 - ssRes / 13);
  assert.equal(linearFit([1, 2], [3, 4]).r2, null);
});

test('iteration prompts: distinct prompts, each repeated k times, a pure function of (seed, step)', () => {
  const pool = Array.from({ length: 10 }, (_, i) => ({ id: `p${i}`, conversation: [], prompt: `p${i}` }));
  const a = iterationPrompts(pool, 8, 4, 1, 3);
  assert.equal(a.length, 8);
  assert.equal(a[0], a[3]);
  assert.notEqual(a[0].id, a[4].id);
  assert.deepEqual(a.map((p) => p.id), iterationPrompts(pool, 8, 4, 1, 3).map((p) => p.id));
  assert.notDeepEqual(
    iterationPrompts(pool, 8, 1, 1, 3).map((p) => p.id),
    iterationPrompts(pool, 8, 1, 1, 4).map((p) => p.id),
  );
});
