/**
 * A `ChatModel`'s completion as pieces: its own stream when it has one, else the whole completion as one piece.
 * Both web apps read models this way (`serve/chat-completion.ts`, `feedback/candidate-hub.ts`).
 */
import type { ChatModel, CompletionPiece, GenerationOptions } from '../spec/chat-target.ts';
import type { Conversation } from '../spec/conversation.ts';

/**
 * The completion of `conversation` by `model`, piece by piece; the last piece carries the finish reason (and the
 * token usage when the model reports it). `signal` cancels the generation (a client that went away).
 */
export async function* completionPieces(model: ChatModel, conversation: Conversation, options: GenerationOptions, signal?: AbortSignal): AsyncIterable<CompletionPiece> {
  if (model.stream !== undefined) {
    yield* model.stream(conversation, options, signal);
    return;
  }
  const completion = await model.complete(conversation, options, signal);
  yield { text: completion.text, finishReason: completion.finishReason, ...(completion.usage === undefined ? {} : { usage: completion.usage }) };
}
