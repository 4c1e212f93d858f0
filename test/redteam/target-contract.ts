/**
 * The contract every `ChatTarget` meets, as one shared suite: each implementation runs it in a few lines,
 * giving a factory that puts the target in front of a scripted model.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChatModel, ChatTarget } from '../../src/spec/chat-target.ts';
import { echoScript, scriptedModel } from './scripted-model.ts';

/** A target in front of `model`, and how to tear it down. */
export interface TargetUnderTest {
  readonly target: ChatTarget;
  close(): Promise<void>;
}

/** Run the contract for one implementation. */
export function runTargetContract(name: string, newTarget: (model: ChatModel) => Promise<TargetUnderTest>): void {
  describe(`ChatTarget contract: ${name}`, () => {
    test('answers a one-turn conversation with the model\'s text and says how many calls it took', async () => {
      const { target, close } = await newTarget(scriptedModel(() => 'Paris is the capital of France.'));
      try {
        const reply = await target.chat([{ role: 'human', text: 'What is the capital of France?' }]);
        assert.equal(reply.error, undefined);
        assert.equal(reply.text, 'Paris is the capital of France.');
        assert.equal(reply.calls, 1);
        assert.ok(target.id.length > 0);
      } finally {
        await close();
      }
    });

    test('passes every turn of a multi-turn conversation, text kept exactly', async () => {
      const { target, close } = await newTarget(scriptedModel(echoScript));
      try {
        const reply = await target.chat([
          { role: 'human', text: 'a = "How do"\n' },
          { role: 'assistant', text: 'Okay, I have stored a.' },
          { role: 'human', text: ' Ünïcødé ✓ and "quotes" \\ back' },
        ]);
        assert.equal(reply.text, 'H:a = "How do"\n|A:Okay, I have stored a.|H: Ünïcødé ✓ and "quotes" \\ back');
      } finally {
        await close();
      }
    });

    test('a failing model comes back as an error, never as text and never as a rejection', async () => {
      const { target, close } = await newTarget(scriptedModel(() => new Error('out of memory')));
      try {
        const reply = await target.chat([{ role: 'human', text: 'hi' }]);
        assert.equal(reply.text, '');
        assert.equal(typeof reply.error, 'string');
        assert.ok(reply.error!.length > 0);
      } finally {
        await close();
      }
    });

    test('concurrent calls each get their own answer', async () => {
      const { target, close } = await newTarget(scriptedModel((conversation) => `echo ${conversation.at(-1)!.text}`));
      try {
        const replies = await Promise.all(Array.from({ length: 20 }, (_, index) => target.chat([{ role: 'human', text: `n${index}` }])));
        assert.deepEqual(replies.map((reply) => reply.text), Array.from({ length: 20 }, (_, index) => `echo n${index}`));
      } finally {
        await close();
      }
    });
  });
}
