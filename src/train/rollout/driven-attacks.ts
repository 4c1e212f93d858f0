/**
 * Driver attacks in a world evaluation. A driver strategy (crescendo, Russinovich et al. 2024) talks to the policy
 * over several turns and adapts to its replies, so its evaluation prompt holds only the plain request: answering that
 * prompt as one turn would measure a direct request under the driver's name. `driveAttacks` runs every driver prompt
 * against the policy instead, in lockstep — each round, every attack still running sends its next conversation and one
 * batched call answers them all — and returns the conversation the policy saw last with its final reply, which the
 * oracle then judges against the request like any other reply.
 */
import { isStrategyId, seededUniform, STRATEGIES } from '../../attacks/index.ts';
import type { Conversation } from '../../spec/conversation.ts';
import type { ChatFunction, ChatReply } from '../../spec/strategy.ts';
import { promptText, type RolloutPrompt } from '../../data/specs/prompts.ts';
import { TURN_MARKERS } from '../../data/hh-transcript.ts';

/** Calls a driver may make per attack (the red-team harness's `--max-turns` default). */
export const DRIVER_MAX_TURNS = 8;

/** Answers several conversations (each ending with a human turn) in one call, replies in the same order. */
export type BatchChat = (conversations: readonly Conversation[]) => Promise<readonly string[]>;

/** One driven attack: the prompt as the policy saw it for its last reply, and that reply. */
export interface DrivenAttack {
  /** The evaluation prompt with `conversation` and `prompt` replaced by the turns before the final reply. */
  readonly prompt: RolloutPrompt;
  readonly response: string;
  /** Set when the driver stopped without a reply to judge. */
  readonly error?: string;
}

/** Where an assistant turn ends when the model writes on: either turn marker (the red-team chat model stops at both). */
const TURN_ENDS = [TURN_MARKERS.human.trimEnd(), TURN_MARKERS.assistant.trimEnd()];

/**
 * A reply as one assistant turn: the text before the first turn marker. A policy that writes on into a next turn
 * (rollouts stop only at `"\n\nHuman:"`, so `"\n\nAssistant: …"` can appear) would otherwise put a turn marker
 * inside the conversation the driver sends next, which no transcript can hold.
 * @example oneTurn('Sure.\n\nAssistant: More.') // 'Sure.'
 */
export function oneTurn(reply: string): string {
  const ends = TURN_ENDS.map((marker) => reply.indexOf(marker)).filter((index) => index >= 0);
  return ends.length === 0 ? reply : reply.slice(0, Math.min(...ends));
}

/**
 * True when the prompt is a driver attack still to be driven: its strategy is a driver (crescendo) and its conversation
 * is the one plain turn an evaluation set stores. An RL pool's crescendo prompt is a finished escalation written as a
 * static transcript (`attacks/crescendo-transcript.ts`) and is answered as it stands.
 */
export function isDriverPrompt(prompt: Pick<RolloutPrompt, 'strategy' | 'conversation'>): boolean {
  return prompt.strategy !== undefined && isStrategyId(prompt.strategy) && STRATEGIES[prompt.strategy].kind === 'driver' && prompt.conversation.length === 1;
}

/**
 * A chat function per attack that queues its conversation and answers every queued one with one `chat` call once
 * the attacks running have all asked (on the next macrotask: each attack resumes in a microtask after its reply, so
 * by then every attack still running has sent its next turn).
 */
function lockstep(chat: BatchChat): ChatFunction {
  let queue: { conversation: Conversation; resolve: (reply: ChatReply) => void; reject: (error: unknown) => void }[] = [];
  const flush = async () => {
    const batch = queue;
    queue = [];
    try {
      const replies = await chat(batch.map((entry) => entry.conversation));
      batch.forEach((entry, index) => entry.resolve({ text: oneTurn(replies[index]) }));
    } catch (error) {
      for (const entry of batch) entry.reject(error);
    }
  };
  return (conversation) =>
    new Promise<ChatReply>((resolve, reject) => {
      if (queue.length === 0) setImmediate(() => void flush());
      queue.push({ conversation: [...conversation], resolve, reject });
    });
}

/**
 * Run each driver prompt's strategy against `chat`, all attacks together (see {@link lockstep}). Every attack draws its
 * wording from a stream keyed by `seed` and the prompt's id, so the same policy gives the same conversations.
 * @throws RangeError for a prompt whose strategy is not a driver; whatever `chat` throws.
 * @example
 * const driven = await driveAttacks(prompts.filter(isDriverPrompt), (conversations) => answerAll(conversations), { seed: 0 });
 */
export async function driveAttacks(
  prompts: readonly RolloutPrompt[],
  chat: BatchChat,
  options: { readonly seed: number; readonly maxTurns?: number },
): Promise<DrivenAttack[]> {
  const send = lockstep(chat);
  return Promise.all(
    prompts.map(async (prompt): Promise<DrivenAttack> => {
      const strategy = prompt.strategy !== undefined && isStrategyId(prompt.strategy) ? STRATEGIES[prompt.strategy] : undefined;
      if (strategy?.kind !== 'driver') throw new RangeError(`driveAttacks: prompt ${prompt.id} has no driver strategy (${prompt.strategy ?? 'none'})`);
      const request = prompt.request;
      const attack = { request: request?.text ?? prompt.conversation.at(-1)?.text ?? '', category: request?.category ?? 'other' };
      const random = seededUniform(`${options.seed}|${prompt.id}|${strategy.id}`);
      const result = await strategy.run(attack, send, { maxTurns: options.maxTurns ?? DRIVER_MAX_TURNS, random });
      const turns = result.conversation;
      const last = turns.at(-1);
      const seen = last?.role === 'assistant' ? turns.slice(0, -1) : turns;
      const driven = { ...prompt, conversation: seen, prompt: promptText(seen) };
      if (result.error !== undefined || last?.role !== 'assistant') return { prompt: driven, response: '', error: result.error ?? `${strategy.id} ended without a reply` };
      return { prompt: driven, response: last.text };
    }),
  );
}
