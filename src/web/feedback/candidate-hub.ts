/**
 * Generates the two replies of a turn once and hands them, as they stream, to every page asking for them (a
 * reload or a second tab joins the generation running). Finished replies are stored before `ready` is sent, so a
 * pick can only name replies that are on disk; a generation cut short by a crash is simply run again when the
 * page asks after the restart. A failed model call is reported to the page as an error and counted — never stored
 * as a reply.
 */
import type { ChatModel, GenerationOptions } from '../../spec/chat-target.ts';
import { completionPieces } from '../chat-pieces.ts';
import type { Conversation } from '../../spec/conversation.ts';
import type { Candidate, FeedbackConversation, FeedbackStore } from '../../data/store/feedback-store.ts';
import { pairFor, type Side } from './policy-pairs.ts';

/** What the page receives while the replies are written. */
export type CandidateEvent =
  | { readonly type: 'delta'; readonly slot: 'a' | 'b'; readonly text: string }
  | { readonly type: 'done'; readonly slot: 'a' | 'b'; readonly finishReason: string }
  | { readonly type: 'ready'; readonly turn: number }
  | { readonly type: 'error'; readonly message: string };

/** Settings of the generation. */
export interface CandidateSettings {
  readonly seed: number;
  readonly maxTokens: number;
  readonly temperature: number;
}

interface Job {
  readonly log: CandidateEvent[];
  finished: boolean;
  readonly waiting: Set<() => void>;
}

/** Generation counters for the admin page and the benchmark. */
export interface GenerationStats {
  readonly replies: number;
  readonly failures: number;
  readonly lastFailure: string | null;
}

/** The turn generations in flight, keyed by conversation and turn. */
export class CandidateHub {
  private readonly jobs = new Map<string, Job>();
  private replies = 0;
  private failures = 0;
  private lastFailure: string | null = null;

  constructor(
    private readonly store: FeedbackStore,
    private readonly policies: readonly ChatModel[],
    private readonly settings: CandidateSettings,
    /** Milliseconds clock for time-to-first-token (a process boundary). */
    private readonly nowMs: () => number = () => performance.now(),
  ) {}

  /** Counters since start. */
  stats(): GenerationStats {
    return { replies: this.replies, failures: this.failures, lastFailure: this.lastFailure };
  }

  /** The events of the current turn's replies: stored ones at once, else those of the (joined) generation. */
  async *events(conversation: FeedbackConversation): AsyncIterable<CandidateEvent> {
    if (conversation.pending === null) return;
    const stored = await this.store.candidates(conversation.id, conversation.turn);
    if (stored.length === 2) {
      for (const candidate of stored) {
        yield { type: 'delta', slot: candidate.slot, text: candidate.text };
        yield { type: 'done', slot: candidate.slot, finishReason: candidate.finishReason };
      }
      yield { type: 'ready', turn: conversation.turn };
      return;
    }
    const key = `${conversation.id}:${conversation.turn}`;
    const job = this.jobs.get(key) ?? this.start(key, conversation);
    for (let index = 0; ; ) {
      while (index < job.log.length) yield job.log[index++];
      if (job.finished) return;
      await new Promise<void>((resolve) => job.waiting.add(resolve));
    }
  }

  private start(key: string, conversation: FeedbackConversation): Job {
    const job: Job = { log: [], finished: false, waiting: new Set() };
    this.jobs.set(key, job);
    const wakeAll = () => {
      for (const wake of job.waiting) wake();
      job.waiting.clear();
    };
    const emit = (event: CandidateEvent) => {
      job.log.push(event);
      wakeAll();
    };
    const prompt: Conversation = [...conversation.turns, { role: 'human', text: conversation.pending! }];
    const sides = pairFor(this.policies, this.settings.seed, conversation.id, conversation.turn);
    Promise.all(sides.map((side) => this.generate(side, prompt, emit)))
      .then(async (candidates) => {
        await this.store.saveCandidates(conversation.id, conversation.turn, [candidates[0], candidates[1]]);
        this.replies += 2;
        emit({ type: 'ready', turn: conversation.turn });
      })
      .catch((error: unknown) => {
        this.failures++;
        this.lastFailure = (error as Error).message;
        emit({ type: 'error', message: `a model failed to reply (${(error as Error).message}); press Retry to ask again` });
      })
      .finally(() => {
        job.finished = true;
        this.jobs.delete(key);
        wakeAll();
      });
    return job;
  }

  private async generate(side: Side, prompt: Conversation, emit: (event: CandidateEvent) => void): Promise<Candidate> {
    const started = this.nowMs();
    let firstTokenMs: number | null = null;
    let text = '';
    let finishReason = 'stop';
    const options: GenerationOptions = { maxTokens: this.settings.maxTokens, temperature: this.settings.temperature, stop: [], seed: side.seed };
    for await (const piece of completionPieces(side.policy, prompt, options)) {
      if (piece.text !== '') {
        firstTokenMs ??= this.nowMs() - started;
        text += piece.text;
        emit({ type: 'delta', slot: side.slot, text: piece.text });
      }
      if (piece.finishReason !== undefined) finishReason = piece.finishReason;
    }
    emit({ type: 'done', slot: side.slot, finishReason });
    return { slot: side.slot, text, model: side.policy.id, seed: side.seed, finishReason, firstTokenMs, totalMs: this.nowMs() - started };
  }
}
