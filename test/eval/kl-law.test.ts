/** The KL law's fit: exponents recovered from curves of known shape, the interval, and too few points. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitKlLaw, klLawIntercept } from '../../src/eval/kl-law.ts';
import { Random } from '../../src/util/random.ts';

/** Probe-like points: KL rising over 17 probes, reward = 1 + 0.3·KL^α plus seeded noise of the given size. */
function curve(alpha: number, noise: number, seed = 1) {
  const random = new Random(seed);
  return Array.from({ length: 17 }, (_, i) => {
    const kl = 0.03 * i;
    return { kl, reward: 1 + 0.3 * kl ** alpha + noise * (random.next() - 0.5) };
  });
}

test('KL law: exact curves give their exponent back, with R² of the √KL and KL lines beside it', () => {
  for (const alpha of [0.5, 1, 1.5]) {
    const fit = fitKlLaw(curve(alpha, 0), 200);
    assert.equal(fit.alpha, alpha, `α = ${alpha}`);
    assert.ok(Math.abs(fit.r2! - 1) < 1e-9);
    assert.ok(Math.abs(fit.slope! - 0.3) < 1e-9);
    assert.deepEqual(fit.alpha_ci95, [alpha, alpha], 'every resample of an exact curve fits the same α');
  }
  const sqrt = fitKlLaw(curve(0.5, 0), 0);
  assert.ok(Math.abs(sqrt.r2_sqrt_kl! - 1) < 1e-9 && sqrt.r2_kl! < 0.95, `√KL curve: R² √KL ${sqrt.r2_sqrt_kl}, KL ${sqrt.r2_kl}`);
  assert.deepEqual([sqrt.resamples, sqrt.alpha_ci95], [0, [null, null]], 'no resamples, no interval');
});

test('KL law: noise widens the interval around the true exponent; the interval tells √KL from linear', () => {
  const sqrt = fitKlLaw(curve(0.5, 0.01), 500);
  const [low, high] = sqrt.alpha_ci95 as [number, number];
  assert.ok(low <= 0.5 && 0.5 <= high && high - low > 0, `√KL curve: α ${sqrt.alpha}, interval [${low}, ${high}]`);
  const linear = fitKlLaw(curve(1, 0.01), 500);
  const [lowLinear] = linear.alpha_ci95 as [number, number];
  assert.ok(lowLinear > 0.5, `linear curve: interval starts at ${lowLinear}, above ½`);
  assert.deepEqual(fitKlLaw(curve(1, 0.01), 500, 3), fitKlLaw(curve(1, 0.01), 500, 3), 'seeded: the same interval twice');
});

test('KL law: fewer than four points or a flat curve fit no exponent', () => {
  const three = fitKlLaw(curve(0.5, 0).slice(0, 3));
  assert.deepEqual([three.alpha, three.alpha_ci95, three.n], [null, [null, null], 3]);
  assert.ok(three.r2_sqrt_kl !== null, 'three points still give the √KL line an R²');
  const flat = fitKlLaw(curve(0.5, 0).map((p) => ({ ...p, reward: 2 })));
  assert.deepEqual([flat.alpha, flat.r2, flat.r2_sqrt_kl], [null, null, null]);
});

test('KL law: r₀ of the fitted curve is the least-squares intercept at the fitted α and b', () => {
  // r = 1 + 2·√KL exactly: r₀ 1
  assert.equal(klLawIntercept([{ kl: 0, reward: 1 }, { kl: 4, reward: 5 }, { kl: 9, reward: 7 }], 0.5, 2), 1);
  // residuals r − 2·√KL of 1.5, 0.5, 1 average to 1: the line's intercept over noisy points
  assert.equal(klLawIntercept([{ kl: 0, reward: 1.5 }, { kl: 4, reward: 4.5 }, { kl: 9, reward: 7 }], 0.5, 2), 1);
  // against fitKlLaw on points it fits exactly: the curve through them
  const points = [0.1, 0.4, 0.9, 1.6, 2.5].map((kl) => ({ kl, reward: -0.3 + 0.8 * kl }));
  const fit = fitKlLaw(points, 0);
  assert.equal(fit.alpha, 1);
  assert.ok(Math.abs(klLawIntercept(points, fit.alpha!, fit.slope!) - -0.3) < 1e-12);
});
