/**
 * Conversations in the HH-RLHF sense (Bai et al. 2022): alternating Human and Assistant turns.
 * Types only — parsing and serialization live in `src/data/hh-transcript.ts`.
 */

/** Who speaks a turn. HH transcripts name them `Human` and `Assistant`. */
export type Role = 'human' | 'assistant';

/** One turn of a conversation. `text` is kept exactly as written (no trimming). */
export interface Turn {
  readonly role: Role;
  readonly text: string;
}

/** An ordered list of turns. */
export type Conversation = readonly Turn[];
