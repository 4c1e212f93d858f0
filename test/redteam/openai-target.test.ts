import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createOpenAiTarget } from '../../src/redteam/targets/openai-target.ts';
import { backoffDelay, retryAfterMs } from '../../src/redteam/targets/backoff.ts';
import { ConfigError } from '../../src/spec/errors.ts';
import { startFaultServer, type Fault } from './fault-server.ts';

const hello = [{ role: 'human' as const, text: 'hello' }];

async function withServer(plan: (index: number) => Fault, run: (baseUrl: string, server: Awaited<ReturnType<typeof startFaultServer>>) => Promise<void>, delayMs = 0) {
  const server = await startFaultServer(plan, delayMs);
  try {
    await run(server.baseUrl, server);
  } finally {
    await server.close();
  }
}

test('sends model, messages, settings, the API key from the env var and extra headers', async () => {
  await withServer(() => ({ kind: 'ok', text: 'hi there' }), async (baseUrl, server) => {
    const target = createOpenAiTarget(
      { baseUrl, model: 'm1', apiKeyEnv: 'MY_KEY', headers: { 'x-org': 'acme' }, maxTokens: 7, temperature: 0.5, seed: 3, systemPrompt: 'Be brief.' },
      { env: { MY_KEY: 'sk-test' } },
    );
    const reply = await target.chat([...hello, { role: 'assistant', text: 'hey' }, { role: 'human', text: 'more' }]);
    assert.deepEqual(reply, { text: 'hi there', finishReason: 'stop', calls: 1 });
    assert.equal(server.requests[0].headers.authorization, 'Bearer sk-test');
    assert.equal(server.requests[0].headers['x-org'], 'acme');
    assert.deepEqual(server.requests[0].body, {
      model: 'm1',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'hello' },
        { role: 'assistant', content: 'hey' },
        { role: 'user', content: 'more' },
      ],
      max_tokens: 7,
      temperature: 0.5,
      seed: 3,
    });
    assert.equal(target.id, `openai:m1@${baseUrl}`);
  });
});

test('a missing API key variable is a config error naming it', () => {
  assert.throws(() => createOpenAiTarget({ baseUrl: 'http://127.0.0.1:1/v1', model: 'm', apiKeyEnv: 'NOPE_KEY' }, { env: {} }), (error: unknown) =>
    error instanceof ConfigError && /NOPE_KEY/.test(error.message),
  );
});

test('429 and 5xx are retried with exponential backoff and jitter; Retry-After is honoured', async () => {
  const plan = (index: number): Fault =>
    index === 0 ? { kind: 'status', status: 503 } : index === 1 ? { kind: 'status', status: 429, headers: { 'retry-after': '2' } } : index === 2 ? { kind: 'status', status: 500 } : { kind: 'ok', text: 'finally' };
  await withServer(plan, async (baseUrl) => {
    const sleeps: number[] = [];
    const target = createOpenAiTarget(
      { baseUrl, model: 'm', maxRetries: 5, retryBaseMs: 100, retryMaxMs: 10_000 },
      { sleep: async (ms) => void sleeps.push(ms), random: () => 0.5 },
    );
    const reply = await target.chat(hello);
    assert.deepEqual(reply, { text: 'finally', finishReason: 'stop', calls: 4 });
    // retry 0: 100·(0.5 + 0.5·0.5) = 75; retry 1: Retry-After 2 s beats 150; retry 2: 400·0.75 = 300
    assert.deepEqual(sleeps, [75, 2000, 300]);
  });
});

test('after the last retry the error is recorded with the number of calls', async () => {
  await withServer(() => ({ kind: 'status', status: 502, body: 'bad gateway' }), async (baseUrl, server) => {
    const target = createOpenAiTarget({ baseUrl, model: 'm', maxRetries: 2, retryBaseMs: 1 });
    const reply = await target.chat(hello);
    assert.deepEqual(reply, { text: '', error: 'HTTP 502: bad gateway (after 3 calls)', calls: 3 });
    assert.equal(server.requests.length, 3);
  });
});

test('a 400 is not retried', async () => {
  await withServer(() => ({ kind: 'status', status: 400, body: '{"error":{"message":"bad"}}' }), async (baseUrl, server) => {
    const reply = await createOpenAiTarget({ baseUrl, model: 'm', retryBaseMs: 1 }).chat(hello);
    assert.equal(reply.error, 'HTTP 400: {"error":{"message":"bad"}}');
    assert.equal(server.requests.length, 1);
  });
});

test('malformed JSON and a content of the wrong type are errors; null content is a reply with no text and its finish reason', async () => {
  await withServer(() => ({ kind: 'raw', body: '{"choices": [' }), async (baseUrl) => {
    const reply = await createOpenAiTarget({ baseUrl, model: 'm' }).chat(hello);
    assert.equal(reply.text, '');
    assert.match(reply.error!, /^malformed reply: not JSON/);
  });
  await withServer(() => ({ kind: 'raw', body: '{"choices":[{"message":{"content":7}}]}' }), async (baseUrl) => {
    const reply = await createOpenAiTarget({ baseUrl, model: 'm' }).chat(hello);
    assert.equal(reply.error, 'malformed reply: choices[0].message.content must be a string or null');
  });
  await withServer(() => ({ kind: 'ok', text: null, finishReason: 'content_filter' }), async (baseUrl) => {
    assert.deepEqual(await createOpenAiTarget({ baseUrl, model: 'm' }).chat(hello), { text: '', finishReason: 'content_filter', calls: 1 });
  });
  await withServer(() => ({ kind: 'raw', body: '{"choices":[]}' }), async (baseUrl) => {
    assert.equal((await createOpenAiTarget({ baseUrl, model: 'm' }).chat(hello)).error, 'malformed reply: choices is empty');
  });
});

test('a timeout and a dropped connection are errors after their retries', async () => {
  await withServer(() => ({ kind: 'hang' }), async (baseUrl, server) => {
    const reply = await createOpenAiTarget({ baseUrl, model: 'm', timeoutMs: 50, maxRetries: 1, retryBaseMs: 1 }).chat(hello);
    assert.deepEqual(reply, { text: '', error: 'timeout after 50 ms (after 2 calls)', calls: 2 });
    assert.equal(server.requests.length, 2);
  });
  await withServer(() => ({ kind: 'drop' }), async (baseUrl) => {
    const reply = await createOpenAiTarget({ baseUrl, model: 'm', maxRetries: 0 }).chat(hello);
    assert.equal(reply.text, '');
    assert.match(reply.error!, /^network error: /);
  });
  const refused = await createOpenAiTarget({ baseUrl: 'http://127.0.0.1:9/v1', model: 'm', maxRetries: 0 }).chat(hello);
  assert.match(refused.error!, /^network error: /);
});

test('the concurrency limit caps requests in flight', async () => {
  await withServer(() => ({ kind: 'ok', text: 'ok' }), async (baseUrl, server) => {
    const target = createOpenAiTarget({ baseUrl, model: 'm', concurrency: 3 });
    const replies = await Promise.all(Array.from({ length: 12 }, () => target.chat(hello)));
    assert.ok(replies.every((reply) => reply.text === 'ok'));
    assert.equal(server.maxInFlight, 3);
  }, 20);
});

test('backoff doubles up to the cap; Retry-After reads seconds and dates', () => {
  const options = { baseMs: 100, maxMs: 1000 };
  assert.deepEqual([0, 1, 2, 3, 4].map((retry) => backoffDelay(retry, options, () => 0)), [50, 100, 200, 400, 500]);
  assert.equal(backoffDelay(1, options, () => 0.5), 150);
  assert.ok(backoffDelay(1, options, () => 0.999999) < 200);
  assert.equal(retryAfterMs('3', 0), 3000);
  assert.equal(retryAfterMs('Thu, 01 Jan 1970 00:00:05 GMT', 1000), 4000);
  assert.equal(retryAfterMs(null, 0), undefined);
  assert.equal(retryAfterMs('soon', 0), undefined);
});
