/**
 * Cancellation over a real GPT: an aborted signal stops the decoding loop, and an SSE client that goes away
 * stops its generation, frees its slot, and the next request is served.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseGptConfig } from '../../src/model/gpt-config.ts';
import { GptModel } from '../../src/model/gpt-model.ts';
import { BpeTokenizer } from '../../src/model/tokenizer/index.ts';
import { createGptChatModel } from '../../src/redteam/targets/gpt-chat-model.ts';
import { GenerationSlots } from '../../src/web/serve/generation-slots.ts';
import { listen } from '../../src/web/serve/listen.ts';
import { createOpenAiApp } from '../../src/web/serve/openai-app.ts';
import { waitUntil } from './gated-model.ts';

/** A random tiny GPT with a long context, so an unbroken generation takes ~4,000 decoding steps (1–3 s here), far longer than a disconnect takes. */
function longContextGpt(): GptModel {
  const tokenizer = BpeTokenizer.fromBytes();
  return GptModel.create(parseGptConfig({ vocabSize: tokenizer.vocabSize, layers: 1, dModel: 16, heads: 2, context: 4096 }), { lm: true }, tokenizer, 7);
}

test('generate stops at the first step after its signal aborts and rejects with the reason', async () => {
  const gpt = longContextGpt();
  const controller = new AbortController();
  const reason = new Error('client gone');
  const texts: string[] = [];
  await assert.rejects(
    gpt.generate([[1, 2, 3]], { maxNewTokens: 4000, temperature: 1, chunk: 16 }, {
      signal: controller.signal,
      onText: (_row, text) => {
        texts.push(text);
        controller.abort(reason);
      },
    }),
    (error) => error === reason,
  );
  // aborted during the first chunk's report: no further chunk was decoded
  assert.equal(texts.length, 1);
  await gpt.release();
});

test('an SSE client that disconnects stops its generation and frees its slot; the next request is served', async () => {
  const gpt = longContextGpt();
  const outcomes: string[] = [];
  const generate = gpt.generate.bind(gpt);
  // spy (not a fake): record how each real generation ended
  gpt.generate = async (...args) => {
    try {
      const result = await generate(...args);
      outcomes.push('finished');
      return result;
    } catch (error) {
      outcomes.push(`rejected: ${(error as Error).message}`);
      throw error;
    }
  };
  const slots = new GenerationSlots({ limit: 1, queueLimit: 0 });
  const server = await listen(createOpenAiApp(createGptChatModel(gpt, { id: 'tiny' }), {}, slots), { port: 0 });
  try {
    const request = (body: object, signal?: AbortSignal) =>
      fetch(`${server.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'tiny', messages: [{ role: 'user', content: 'hi' }], temperature: 1, seed: 3, ...body }),
        ...(signal === undefined ? {} : { signal }),
      });
    const client = new AbortController();
    const response = await request({ stream: true, max_tokens: 4000 }, client.signal);
    assert.equal(response.status, 200);
    const reader = response.body!.getReader();
    let received = '';
    while (!received.includes('"content":"') || received.split('data: ').length < 3) received += new TextDecoder().decode((await reader.read()).value);
    assert.equal(slots.running, 1);
    assert.equal((await request({ max_tokens: 1 })).status, 429); // busy while it streams
    client.abort();
    await waitUntil(() => slots.running === 0 && outcomes.length === 1, 'the generation stops and its slot frees');
    assert.match(outcomes[0], /^rejected: /);
    const next = await request({ max_tokens: 4 });
    assert.equal(next.status, 200);
    assert.equal(((await next.json()) as { usage: { completion_tokens: number } }).usage.completion_tokens, 4);
    assert.deepEqual(outcomes.slice(1), ['finished']);
  } finally {
    await server.close();
    await gpt.release();
  }
});
