/**
 * The seam between the red-team harness and the model under test, and between `hhrl serve` and an hhrl model.
 * Types only; implementations live in `src/redteam/targets` (targets) and `src/model` (chat models).
 */
import type { Conversation } from './conversation.ts';
import type { ChatReply } from './strategy.ts';

/** Why generation stopped: a stop sequence or end of text (`stop`), or the token limit (`length`). */
export type FinishReason = 'stop' | 'length';

/** Sampling settings for one completion. */
export interface GenerationOptions {
  /** Most new tokens to generate. */
  readonly maxTokens: number;
  /** Softmax temperature; 0 means greedy. */
  readonly temperature: number;
  /** Generation stops before the first of these strings appears. */
  readonly stop: readonly string[];
  /** Seed for sampling; the same seed, model and input give the same text. */
  readonly seed?: number;
  /** Nucleus sampling (Holtzman et al. 2020): sample from the smallest set of tokens holding this much probability; 1 or absent = off. */
  readonly topP?: number;
}

/** Tokens one completion consumed, as the model's tokenizer counts them. */
export interface TokenUsage {
  /** Prompt tokens the model actually read (after any truncation to its context). */
  readonly promptTokens: number;
  /** Tokens generated (including those of a stop string that ended the reply). */
  readonly completionTokens: number;
  /** Tokens cut from the start of a prompt longer than the context allows (0 when none). */
  readonly droppedPromptTokens: number;
}

/** One finished completion. */
export interface Completion {
  readonly text: string;
  readonly finishReason: FinishReason;
  /** Token counts, when the model knows them. */
  readonly usage?: TokenUsage;
}

/** A piece of a streamed completion; the last piece carries the finish reason. */
export interface CompletionPiece {
  readonly text: string;
  readonly finishReason?: FinishReason;
  /** On the last piece: token counts, when the model knows them. */
  readonly usage?: TokenUsage;
}

/**
 * A model that continues a conversation with the assistant's next turn — what `hhrl serve` serves and the local
 * checkpoint target calls. `complete` rejects on failure; callers turn that into a recorded error.
 */
export interface ChatModel {
  /** Name reported by `/v1/models` (e.g. the checkpoint folder's name). */
  readonly id: string;
  /** The assistant's reply; rejects with `signal.reason` soon after `signal` aborts, and stops generating. */
  complete(conversation: Conversation, options: GenerationOptions, signal?: AbortSignal): Promise<Completion>;
  /** Optional: the same completion as it is generated; aborting `signal` stops the generation. */
  stream?(conversation: Conversation, options: GenerationOptions, signal?: AbortSignal): AsyncIterable<CompletionPiece>;
}

/** A reply from a target, with what is known about the call. */
export interface TargetReply extends ChatReply {
  /** Set when the call succeeded and the backend said why it stopped. */
  readonly finishReason?: string;
  /** Calls made, including retries (1 when the first call answered). */
  readonly calls: number;
}

/**
 * A model under test. Contract (checked by `test/redteam/target-contract.ts` for every implementation):
 * `chat` never rejects because the model failed — timeouts, HTTP errors, malformed replies and dropped streams come
 * back as `{ text: '', error }` so the harness records them as errors, never as refusals.
 */
export interface ChatTarget {
  /** Stable description, e.g. `openai:gpt-4o-mini@https://api.example/v1` or `hhrl:runs/a/checkpoints/400`. */
  readonly id: string;
  /** Send a conversation ending with a human turn; get the assistant's reply. */
  chat(conversation: Conversation): Promise<TargetReply>;
}
