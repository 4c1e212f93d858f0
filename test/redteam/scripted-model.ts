/**
 * A scripted `ChatModel` for loopback tests: a test double at the model boundary (the server and targets under
 * test are real). It answers from a function of the conversation, records every call, and can stream its answer
 * in word pieces.
 */
import type { ChatModel, Completion, CompletionPiece, GenerationOptions } from '../../src/spec/chat-target.ts';
import type { Conversation } from '../../src/spec/conversation.ts';

/** What the script may return: text, or a thrown error. */
export type Script = (conversation: Conversation, options: GenerationOptions) => string | Error;

/** A ChatModel driven by `script`, with its call log. */
export interface ScriptedModel extends ChatModel {
  readonly calls: { conversation: Conversation; options: GenerationOptions }[];
}

/** Echo script: the roles and texts of the conversation, so a test can check what arrived. */
export const echoScript: Script = (conversation) =>
  conversation.map((turn) => `${turn.role === 'human' ? 'H' : 'A'}:${turn.text}`).join('|');

/** Create a scripted model. `streaming` adds a `stream` method that yields word pieces. */
export function scriptedModel(script: Script, options: { id?: string; streaming?: boolean } = {}): ScriptedModel {
  const calls: ScriptedModel['calls'] = [];
  const answer = (conversation: Conversation, generation: GenerationOptions): Completion => {
    calls.push({ conversation, options: generation });
    const result = script(conversation, generation);
    if (result instanceof Error) throw result;
    let text = result;
    let finishReason: Completion['finishReason'] = 'stop';
    for (const stop of generation.stop) {
      const at = text.indexOf(stop);
      if (at >= 0) text = text.slice(0, at);
    }
    const words = text.split(/(?<= )/);
    if (words.length > generation.maxTokens) {
      text = words.slice(0, generation.maxTokens).join('');
      finishReason = 'length';
    }
    return { text, finishReason };
  };
  const model: ScriptedModel = {
    id: options.id ?? 'scripted',
    calls,
    complete: async (conversation, generation) => answer(conversation, generation),
  };
  if (options.streaming === true) {
    return {
      ...model,
      async *stream(conversation, generation): AsyncIterable<CompletionPiece> {
        const completion = answer(conversation, generation);
        const pieces = completion.text.split(/(?<= )/);
        for (let index = 0; index < pieces.length; index++) {
          yield index === pieces.length - 1 ? { text: pieces[index], finishReason: completion.finishReason } : { text: pieces[index] };
        }
      },
    };
  }
  return model;
}
