import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RateLimiter } from '../../src/web/feedback/rate-limit.ts';

test('RateLimiter: a key spends its burst, refills at perMinute, and keys do not share buckets', () => {
  let now = 0;
  const limiter = new RateLimiter(60, 3, () => now); // one token per second, three at once
  assert.deepEqual([1, 2, 3, 4].map(() => limiter.take('a')), [true, true, true, false]);
  assert.equal(limiter.take('b'), true, 'another key has its own bucket');
  now = 999;
  assert.equal(limiter.take('a'), false, 'not yet a whole token back');
  now = 2_000;
  assert.equal(limiter.take('a'), true);
});

test('RateLimiter forgets refilled buckets, so memory follows the active keys, and forgetting changes no answer', () => {
  let now = 0;
  const limiter = new RateLimiter(60, 2, () => now);
  for (let i = 0; i < 1_000; i++) assert.equal(limiter.take(`k${i}`), true);
  assert.ok(limiter.size >= 1_000 - 64, 'keys seen just now are held');
  assert.equal(limiter.take('hot'), true);
  assert.equal(limiter.take('hot'), true);
  now = 500; // half a token back: "hot" stays limited, the others have not refilled either
  assert.equal(limiter.take('hot'), false);
  now = 10_000; // every bucket but a fresh one has refilled
  for (let i = 0; i < 200; i++) limiter.take(`new${i}`);
  assert.ok(limiter.size <= 400, `refilled buckets forgotten (held ${limiter.size})`);
  assert.equal(limiter.take('k1'), true, 'a forgotten key starts full');
  assert.equal(limiter.take('k1'), true);
  assert.equal(limiter.take('k1'), false);
});
