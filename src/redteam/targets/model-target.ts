/**
 * A target that calls a `ChatModel` in-process — an hhrl checkpoint loaded by `src/model`. Failures of the model
 * become recorded errors, like any other target's.
 */
import type { ChatModel, ChatTarget, GenerationOptions, TargetReply } from '../../spec/chat-target.ts';
import { createLimiter } from './limiter.ts';

/** Generation settings of the local target, plus its concurrency (1: generation is CPU-bound). */
export interface ModelTargetOptions {
  readonly generation: GenerationOptions;
  readonly concurrency: number;
  /** Prefix of the target id (`hhrl:<path>`). */
  readonly label?: string;
}

/** Wrap `model` as a target. */
export function createModelTarget(model: ChatModel, options: ModelTargetOptions): ChatTarget {
  const limiter = createLimiter(options.concurrency);
  return {
    id: `hhrl:${options.label ?? model.id}`,
    chat: (conversation) =>
      limiter.run(async (): Promise<TargetReply> => {
        try {
          const completion = await model.complete(conversation, options.generation);
          return { text: completion.text, finishReason: completion.finishReason, calls: 1 };
        } catch (error) {
          return { text: '', error: `model error: ${(error as Error).message}`, calls: 1 };
        }
      }),
  };
}
