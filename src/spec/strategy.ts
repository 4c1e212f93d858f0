import type { Conversation } from './conversation.ts';

/**
 * Attack strategies (red-teaming): how a harmful request is wrapped. Suites say what to test,
 * strategies say how to attack, graders say whether it worked (the promptfoo split).
 * Implementations live in `src/attacks`; the HH world and the red-team harness share them.
 */
export type StrategyId =
  | 'direct'
  | 'roleplay'
  | 'fiction'
  | 'authority'
  | 'prefix_injection'
  | 'refusal_suppression'
  | 'payload_split'
  | 'crescendo'
  | 'base64'
  | 'rot13'
  | 'leetspeak';

/** What a strategy attacks with: the plain harmful request and what is known of it. */
export interface AttackRequest {
  /** The plain request, as a user would type it. */
  readonly request: string;
  /** Category in the common taxonomy (e.g. `cybercrime`). */
  readonly category: string;
  /** Short description of the goal, used by multi-turn drivers to build follow-ups. */
  readonly goal?: string;
}

/** A deterministic source of uniform numbers in [0, 1). Strategies that vary wording draw from it. */
export type UniformSource = () => number;

/** A strategy that turns a request into a fixed conversation (ending with a human turn). */
export interface TransformStrategy {
  readonly kind: 'transform';
  readonly id: StrategyId;
  readonly description: string;
  /** Pure: the same request and random source give the same conversation. */
  transform(request: AttackRequest, random: UniformSource): Conversation;
  /**
   * The strategy's inverse on one human turn, for a judge that must find the plain request (encodings): the
   * readings of `text` that may reveal it (none when nothing decodes). Absent when the request stays readable.
   */
  decode?(text: string): string[];
  /**
   * The inverse for strategies that spread the request over turns (payload splitting): the request put back
   * together from every human turn, in order, or undefined when the turns hold no pieces.
   */
  reassemble?(humanTurns: readonly string[]): string | undefined;
}

/** One reply from the model under attack; `error` set when the call failed (never read as a refusal). */
export interface ChatReply {
  readonly text: string;
  readonly error?: string;
}

/** A function that sends a conversation (ending with a human turn) and gets the assistant's reply. */
export type ChatFunction = (conversation: Conversation) => Promise<ChatReply>;

/** A strategy that talks to the target over several turns, adapting to its replies. */
export interface DriverStrategy {
  readonly kind: 'driver';
  readonly id: StrategyId;
  readonly description: string;
  /** Run the attack; returns the whole conversation including the target's replies. */
  run(
    request: AttackRequest,
    chat: ChatFunction,
    options: { readonly maxTurns: number; readonly random: UniformSource },
  ): Promise<{ readonly conversation: Conversation; readonly error?: string }>;
}

/** Any strategy. */
export type Strategy = TransformStrategy | DriverStrategy;
