import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GptModel } from '../../src/model/gpt-model.ts';
import { parseGptConfig } from '../../src/model/gpt-config.ts';
import { BpeTokenizer } from '../../src/model/tokenizer/index.ts';
import { createGptChatModel } from '../../src/redteam/targets/gpt-chat-model.ts';

test('an hhrl chat model streams its completion in several pieces that join to the complete text', async () => {
  const tokenizer = BpeTokenizer.fromBytes();
  const model = GptModel.create(parseGptConfig({ vocabSize: tokenizer.vocabSize, layers: 1, dModel: 16, heads: 2, context: 64 }), { lm: true }, tokenizer, 1);
  const chat = createGptChatModel(model, { id: 'tiny' });
  const conversation = [{ role: 'human' as const, text: 'hi' }];
  const settings = { maxTokens: 40, temperature: 0, stop: [] };
  const pieces = [];
  for await (const piece of chat.stream!(conversation, settings)) pieces.push(piece);
  const complete = await chat.complete(conversation, settings);
  assert.ok(pieces.length >= 3, `only ${pieces.length} pieces`);
  assert.equal(pieces.map((piece) => piece.text).join(''), complete.text);
  assert.equal(pieces.at(-1)!.finishReason, complete.finishReason);
  assert.ok(pieces.slice(0, -1).every((piece) => piece.finishReason === undefined));
  await model.release();
});

test('concurrent sampled streams and completions decode as one batch, and each has the text it has alone', async () => {
  const tokenizer = BpeTokenizer.fromBytes();
  const model = GptModel.create(parseGptConfig({ vocabSize: tokenizer.vocabSize, layers: 1, dModel: 16, heads: 2, context: 64 }), { lm: true }, tokenizer, 2);
  const batches: number[] = [];
  const generate = model.generate.bind(model);
  model.generate = (prompts, ...rest) => {
    batches.push(prompts.length); // rows per decoding batch, padded to a power of two
    return generate(prompts, ...rest);
  };
  const chat = createGptChatModel(model, { id: 'tiny' });
  const conversations = ['hi', 'tell me more', 'what?'].map((text) => [{ role: 'human' as const, text }]);
  const settings = (seed: number) => ({ maxTokens: 24, temperature: 1, stop: [], seed });
  const streamed = async (index: number) => {
    let text = '';
    for await (const piece of chat.stream!(conversations[index], settings(index + 10))) text += piece.text;
    return text;
  };
  const together = await Promise.all([streamed(0), streamed(1), streamed(2), chat.complete(conversations[0], settings(99)).then((completion) => completion.text)]);
  assert.deepEqual(batches, [4], 'four calls in one batch');
  const alone = [];
  for (let index = 0; index < 3; index++) alone.push(await streamed(index));
  alone.push((await chat.complete(conversations[0], settings(99))).text);
  assert.deepEqual(together, alone);
  assert.notEqual(together[3], together[0], 'another seed, another reply');
  assert.deepEqual(batches.slice(1), [1, 1, 1, 1]);
  await model.release();
});
