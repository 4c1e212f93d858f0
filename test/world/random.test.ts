import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Random, hashString32 } from '../../src/util/random.ts';

test('Random: the same seed gives the same stream, another seed another', () => {
  const first = new Random(42);
  const second = new Random(42);
  const third = new Random(43);
  const a = Array.from({ length: 8 }, () => first.nextUint32());
  const b = Array.from({ length: 8 }, () => second.nextUint32());
  const c = Array.from({ length: 8 }, () => third.nextUint32());
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
});

test('Random: draws are uniform enough and within range', () => {
  const random = new Random('uniform');
  const counts = new Array<number>(10).fill(0);
  for (let index = 0; index < 20_000; index++) counts[random.int(10)]++;
  for (const count of counts) assert.ok(count > 1800 && count < 2200, `bucket count ${count}`);
  for (let index = 0; index < 1000; index++) {
    const value = random.range(3, 5);
    assert.ok(value >= 3 && value <= 5);
  }
});

test('Random: fork depends only on seed and label', () => {
  const parent = new Random(9);
  parent.next();
  assert.equal(parent.fork('x').next(), new Random(9).fork('x').next());
  assert.notEqual(parent.fork('x').next(), parent.fork('y').next());
});

test('Random: weighted, shuffle, sample and normal behave', () => {
  const random = new Random(1);
  let heads = 0;
  for (let index = 0; index < 10_000; index++) if (random.weighted({ heads: 3, tails: 1 }) === 'heads') heads++;
  assert.ok(heads > 7200 && heads < 7800, `heads ${heads}`);
  assert.deepEqual([...random.shuffle([1, 2, 3, 4, 5])].sort(), [1, 2, 3, 4, 5]);
  assert.equal(new Set(random.sample([1, 2, 3, 4, 5], 3)).size, 3);
  let sum = 0;
  let squares = 0;
  for (let index = 0; index < 20_000; index++) {
    const value = random.normal();
    sum += value;
    squares += value * value;
  }
  assert.ok(Math.abs(sum / 20_000) < 0.03);
  assert.ok(Math.abs(squares / 20_000 - 1) < 0.05);
  assert.equal(hashString32('abc'), 0x1a47e90b);
});
