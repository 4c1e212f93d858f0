/**
 * A `ChatModel`'s completion as pieces: its own stream when it has one, else the whole completion as one piece.
 * (`web/serve/openai-app.ts` has the same helper inline; it can import this one.)
 */
import type { ChatModel, CompletionPiece, GenerationOptions } from '../spec/chat-target.ts';
import type { Conversation } from '../spec/conversation.ts';

/** The completion of `conversation` by `model`, piece by piece; the last piece carries the finish reason. */
export async function* completionPieces(model: ChatModel, conversation: Conversation, options: GenerationOptions): AsyncIterable<CompletionPiece> {
  if (model.stream !== undefined) {
    yield* model.stream(conversation, options);
    return;
  }
  const completion = await model.complete(conversation, options);
  yield { text: completion.text, finishReason: completion.finishReason };
}
