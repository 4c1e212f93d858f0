/**
 * `hhrl serve` over a real GPT, driven by the official `openai` npm client: usage on every reply, and no reply
 * (streamed or not) ends with the start of a stop string when `max_tokens` cuts it.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { chatPrompt, createGptChatModel } from '../../src/redteam/targets/gpt-chat-model.ts';
import { GenerationSlots } from '../../src/web/serve/generation-slots.ts';
import { listen, type RunningServer } from '../../src/web/serve/listen.ts';
import { createOpenAiApp } from '../../src/web/serve/openai-app.ts';
import { textWritingGpt, WRITER_CONTEXT } from './text-writing-gpt.ts';

// Greedy decoding after "\n\nHuman: hi\n\nAssistant:" (23 byte tokens) writes this, turn marker included.
const REPLY = ' Sure, here it is.\n\nHuman: more please';
const PROMPT_TOKENS = 23;
const gpt = textWritingGpt(chatPrompt([{ role: 'human', text: 'hi' }]), REPLY);
const slots = new GenerationSlots({ limit: 16, queueLimit: 256 }); // the defaults of hhrl serve
let server: RunningServer;
let client: OpenAI;

before(async () => {
  server = await listen(createOpenAiApp(createGptChatModel(gpt, { id: 'writer' }), { apiKey: 'k' }, slots), { port: 0 });
  client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'k', maxRetries: 0 });
});
after(async () => {
  await server.close();
  await gpt.release();
});

const hi = [{ role: 'user' as const, content: 'hi' }];

/** The reply cut after `k` tokens as a client must see it: no leading space, no start of "\n\nHuman:". */
function expectedReply(k: number): string {
  return k <= 18 ? REPLY.slice(1, k) : 'Sure, here it is.';
}

test('non-streamed: usage counts prompt and completion tokens; a reply cut by max_tokens never ends inside "\\n\\nHuman:"', async () => {
  for (let k = 1; k <= 30; k++) {
    const completion = await client.chat.completions.create({ model: 'writer', messages: hi, max_tokens: k, temperature: 0 });
    const choice = completion.choices[0];
    assert.equal(choice.message.content, expectedReply(k), `max_tokens ${k}`);
    const generated = Math.min(k, 26); // the marker "\n\nHuman:" ends the reply after 26 tokens
    assert.equal(choice.finish_reason, k < 26 ? 'length' : 'stop', `max_tokens ${k}`);
    assert.deepEqual(completion.usage, { prompt_tokens: PROMPT_TOKENS, completion_tokens: generated, total_tokens: PROMPT_TOKENS + generated });
  }
});

test('streamed with include_usage: the same text, nothing of the stop string ever sent, then a usage chunk', async () => {
  for (let k = 15; k <= 30; k++) {
    const stream = await client.chat.completions.create({
      model: 'writer',
      messages: hi,
      max_tokens: k,
      temperature: 0,
      stream: true,
      stream_options: { include_usage: true },
    });
    const deltas: string[] = [];
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      if (chunk.choices.length === 0) usage = chunk.usage;
      for (const choice of chunk.choices) {
        if (choice.delta.content) deltas.push(choice.delta.content);
        if (choice.finish_reason !== null) finish = choice.finish_reason;
      }
    }
    assert.equal(deltas.join(''), expectedReply(k), `max_tokens ${k}`);
    assert.ok(deltas.every((delta) => !delta.includes('\n')), `max_tokens ${k}: ${JSON.stringify(deltas)}`);
    assert.equal(finish, k < 26 ? 'length' : 'stop');
    const generated = Math.min(k, 26);
    assert.deepEqual(usage, { prompt_tokens: PROMPT_TOKENS, completion_tokens: generated, total_tokens: PROMPT_TOKENS + generated });
  }
});

test('a prompt longer than the context is cut from the start, and the response says by how much', async () => {
  const long = 'x'.repeat(100);
  const promptTokens = gpt.tokenizer.encode(chatPrompt([{ role: 'human', text: long }])).length; // 121
  const completion = await client.chat.completions.create({ model: 'writer', messages: [{ role: 'user', content: long }], max_tokens: 5, temperature: 0 });
  // the context keeps its last T − 1 tokens so one can be generated
  assert.deepEqual(completion.usage, { prompt_tokens: WRITER_CONTEXT - 1, completion_tokens: 1, total_tokens: WRITER_CONTEXT });
  assert.equal(completion.choices[0].finish_reason, 'length');
  const report = (completion as unknown as { hhrl: { dropped_prompt_tokens: number; escaped_turn_markers: number } }).hhrl;
  assert.deepEqual(report, { escaped_turn_markers: 0, dropped_prompt_tokens: promptTokens - (WRITER_CONTEXT - 1) });
  // streamed: the finish chunk carries the same report
  const stream = await client.chat.completions.create({ model: 'writer', messages: [{ role: 'user', content: long }], max_tokens: 5, temperature: 0, stream: true });
  const reports: unknown[] = [];
  for await (const chunk of stream) if (chunk.choices[0]?.finish_reason) reports.push((chunk as unknown as { hhrl: unknown }).hhrl);
  assert.deepEqual(reports, [report]);
});

test('200 concurrent clients with the default limits: all wait their turn and get the exact reply, at most 16 generating', async () => {
  const replies = await Promise.all(
    Array.from({ length: 200 }, () => client.chat.completions.create({ model: 'writer', messages: hi, max_tokens: 5, temperature: 0 })),
  );
  assert.deepEqual(new Set(replies.map((reply) => reply.choices[0].message.content)), new Set(['Sure']));
  assert.equal(replies.length, 200);
  assert.ok(slots.peak > 1 && slots.peak <= 16, `peak ${slots.peak}`);
  assert.deepEqual([slots.running, slots.waiting], [0, 0]);
});

test('the openai client sees unsupported fields as a 400 BadRequestError naming the field', async () => {
  await assert.rejects(
    client.chat.completions.create({ model: 'writer', messages: hi, logprobs: true }),
    (error: unknown) => error instanceof OpenAI.BadRequestError && /^logprobs: logprobs is not supported by hhrl serve$/.test(error.error ? (error.error as { message: string }).message : ''),
  );
});
