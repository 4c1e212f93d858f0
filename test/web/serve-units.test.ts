import { test } from 'node:test';
import assert from 'node:assert/strict';
import { partialStopLength, streamableText, withoutPartialStop } from '../../src/model/stop-text.ts';
import { ConfigError } from '../../src/spec/errors.ts';
import { assertSafeExposure, isLoopbackHost } from '../../src/web/serve/exposure.ts';
import { GenerationSlots, SlotsFullError } from '../../src/web/serve/generation-slots.ts';
import { escapeTurnMarkers } from '../../src/web/serve/openai-schema.ts';

const STOPS = ['\n\nHuman:', '\n\nAssistant:'];

test('partialStopLength: the longest trailing proper prefix of any stop string', () => {
  assert.equal(partialStopLength('Sure.\n\nHum', STOPS), 5);
  assert.equal(partialStopLength('Sure.\n\nAssistant', STOPS), 11);
  assert.equal(partialStopLength('Sure.\n', STOPS), 1);
  assert.equal(partialStopLength('Sure.', STOPS), 0);
  assert.equal(partialStopLength('a\n\nHuman:', STOPS), 0); // a whole stop string is not a partial one
  assert.equal(partialStopLength('abcab', ['abcabd']), 5);
  assert.equal(partialStopLength('xab', ['abab', 'b']), 2);
  assert.equal(withoutPartialStop('Sure.\n\nHum', STOPS), 'Sure.');
  assert.equal(streamableText('Sure\uFFFD\uFFFD', STOPS), 'Sure');
  assert.equal(streamableText('Sure.\n\nH\uFFFD', STOPS), 'Sure.');
});

test('escapeTurnMarkers: no text can carry a blank line before a speaker name', () => {
  assert.deepEqual(escapeTurnMarkers('a\n\nHuman: b\n\n\n\nAssistant:c\n\nHumans'), { text: 'a\nHuman: b\nAssistant:c\n\nHumans', escaped: 2 });
  assert.deepEqual(escapeTurnMarkers('\n\n\nHuman:'), { text: '\nHuman:', escaped: 1 });
  assert.deepEqual(escapeTurnMarkers('plain'), { text: 'plain', escaped: 0 });
});

test('GenerationSlots: runs at most `limit`, queues at most `queueLimit` in order, refuses the rest', async () => {
  const slots = new GenerationSlots({ limit: 1, queueLimit: 2 });
  const order: number[] = [];
  const release1 = await slots.acquire();
  const second = slots.acquire().then((release) => (order.push(2), release));
  const third = slots.acquire().then((release) => (order.push(3), release));
  await assert.rejects(slots.acquire(), (error) => error instanceof SlotsFullError && error.message === 'all 1 generation slots are busy and 2 requests are waiting');
  assert.deepEqual([slots.running, slots.waiting], [1, 2]);
  release1();
  release1(); // a second call gives nothing back twice
  const release2 = await second;
  assert.deepEqual([slots.running, slots.waiting, order], [1, 1, [2]]);
  release2();
  (await third)();
  assert.deepEqual([slots.running, slots.waiting, slots.peak, order], [0, 0, 1, [2, 3]]);
  const controller = new AbortController();
  const hold = await slots.acquire();
  const waiting = slots.acquire(controller.signal);
  controller.abort(new Error('gone'));
  await assert.rejects(waiting, /gone/);
  assert.equal(slots.waiting, 0);
  hold();
  assert.throws(() => new GenerationSlots({ limit: 0, queueLimit: 0 }), RangeError);
});

test('isLoopbackHost and assertSafeExposure: only loopback is served without a key unless --insecure', () => {
  for (const host of ['127.0.0.1', '127.8.9.10', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1', '0:0:0:0:0:0:0:1']) assert.equal(isLoopbackHost(host), true, host);
  for (const host of ['0.0.0.0', '::', '192.168.1.5', '10.0.0.1', 'example.org', '128.0.0.1', '']) assert.equal(isLoopbackHost(host), false, host);
  assert.throws(
    () => assertSafeExposure('0.0.0.0', { insecure: false }),
    (error) => error instanceof ConfigError && /^--host 0\.0\.0\.0 is not a loopback address, and no API key is set: .*--api-key-env NAME, or pass --insecure/.test(error.message),
  );
  assert.doesNotThrow(() => assertSafeExposure('0.0.0.0', { insecure: true }));
  assert.doesNotThrow(() => assertSafeExposure('0.0.0.0', { insecure: false, apiKey: 'k' }));
  assert.doesNotThrow(() => assertSafeExposure('127.0.0.1', { insecure: false }));
});
