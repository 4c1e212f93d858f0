/**
 * A `ChatModel` test double whose calls wait behind a gate the test opens, so a test can hold generation slots
 * busy for exactly as long as it needs. It honours cancellation like a real model (a call rejects with the
 * signal's reason when its signal aborts) and records how each call ended.
 */
import type { ChatModel, Completion, GenerationOptions } from '../../src/spec/chat-target.ts';
import type { Conversation } from '../../src/spec/conversation.ts';

/** How a call ended. */
export type CallOutcome = 'pending' | 'answered' | 'aborted';

/** The gated model and its controls. */
export interface GatedModel extends ChatModel {
  /** Outcome of every call, in arrival order. */
  readonly outcomes: CallOutcome[];
  /** Let every waiting and future call answer. */
  open(): void;
}

/** Create a gated model answering `reply` once the gate opens. */
export function gatedModel(reply = 'done', id = 'gated'): GatedModel {
  const outcomes: CallOutcome[] = [];
  let opened = false;
  const waiting: (() => void)[] = [];
  const complete = (_conversation: Conversation, _options: GenerationOptions, signal?: AbortSignal): Promise<Completion> => {
    const index = outcomes.push('pending') - 1;
    return new Promise<Completion>((resolve, reject) => {
      const answer = () => {
        if (outcomes[index] !== 'pending') return;
        outcomes[index] = 'answered';
        resolve({ text: reply, finishReason: 'stop' });
      };
      signal?.addEventListener(
        'abort',
        () => {
          if (outcomes[index] !== 'pending') return;
          outcomes[index] = 'aborted';
          reject(signal.reason);
        },
        { once: true },
      );
      if (opened) answer();
      else waiting.push(answer);
    });
  };
  return {
    id,
    outcomes,
    complete,
    open: () => {
      opened = true;
      for (const answer of waiting.splice(0)) answer();
    },
  };
}

/** Resolve once `condition()` holds, checking every 5 ms; reject after `timeoutMs` with `what`. */
export async function waitUntil(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
