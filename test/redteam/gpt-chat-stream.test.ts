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
