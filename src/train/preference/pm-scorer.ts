/**
 * Scoring with a trained preference model: transcripts, (conversation, response) pairs or comparisons in,
 * scalar rewards out, in batches of similar length so few graph shapes compile. This is the reward
 * function RL imports (`r_PM` of Bai et al. 2022 §4.1).
 */
import { GptModel } from '../../model/gpt-model.ts';
import type { Conversation } from '../../spec/conversation.ts';
import { CheckpointError } from '../../spec/errors.ts';
import { serializeTranscript, TURN_MARKERS } from '../../data/hh-transcript.ts';
import { resolveModelDir } from '../run-folder.ts';
import { bucketLength, padRows, transcriptEncoder } from './pm-batches.ts';

/** Options of {@link PreferenceScorer}. */
export interface ScorerOptions {
  /** Sequences per forward run (default 32). */
  readonly batchSize?: number;
  /** Lengths round up to a multiple of this (default 16). */
  readonly bucketStep?: number;
}

/** A conversation so far and one candidate assistant response to it. */
export interface ResponseItem {
  /** Turns before the response (ending with a human turn), or that conversation as an HH transcript. */
  readonly conversation: Conversation | string;
  readonly response: string;
}

/**
 * Scores transcripts with a GPT that has a sequence-scalar head.
 * @example
 * const scorer = PreferenceScorer.load('runs/pm');
 * const [good, bad] = await scorer.scoreResponses([
 *   { conversation: [{ role: 'human', text: 'What is 2 plus 3?' }], response: '2 plus 3 is 5.' },
 *   { conversation: [{ role: 'human', text: 'What is 2 plus 3?' }], response: 'I would rather not say.' },
 * ]);
 */
export class PreferenceScorer {
  private readonly encodeText: (text: string) => number[];
  private readonly batchSize: number;
  private readonly bucketStep: number;

  constructor(
    readonly model: GptModel,
    options: ScorerOptions = {},
  ) {
    if (!model.heads.sequenceScalar) throw new CheckpointError('PreferenceScorer: the model has no sequence-scalar (preference) head');
    this.encodeText = transcriptEncoder(model.tokenizer, model.config.context);
    this.batchSize = options.batchSize ?? 32;
    this.bucketStep = options.bucketStep ?? 16;
  }

  /** Load a PM checkpoint folder or a `pm train` run folder. */
  static load(dir: string, options: ScorerOptions = {}): PreferenceScorer {
    return new PreferenceScorer(GptModel.load(resolveModelDir(dir)).model, options);
  }

  /** Token ids the model scores for a transcript (end-of-context token appended, cut from the left). */
  encode(text: string): number[] {
    return this.encodeText(text);
  }

  /** Scores of token sequences (each 1..context tokens). */
  async scoreTokens(sequences: readonly (readonly number[])[]): Promise<Float32Array> {
    const scores = new Float32Array(sequences.length);
    const order = sequences.map((_, index) => index).sort((a, b) => sequences[a].length - sequences[b].length || a - b);
    for (let start = 0; start < order.length; start += this.batchSize) {
      const indices = order.slice(start, start + this.batchSize);
      const rows = indices.map((index) => sequences[index]);
      while (rows.length < this.batchSize) rows.push(rows[0]); // keep one shape per length: pad with a repeat
      const length = bucketLength(Math.max(...rows.map((row) => row.length)), this.bucketStep, this.model.config.context);
      const { tokens, lengths } = padRows(rows, length);
      const out = await this.model.scores(tokens, lengths, this.batchSize, length);
      indices.forEach((index, row) => (scores[index] = out[row]));
    }
    return scores;
  }

  /** Scores of whole HH transcripts. */
  scoreTexts(texts: readonly string[]): Promise<Float32Array> {
    return this.scoreTokens(texts.map((text) => this.encodeText(text)));
  }

  /** Scores of responses to conversations (the RL reward before the KL penalty). */
  scoreResponses(items: readonly ResponseItem[]): Promise<Float32Array> {
    return this.scoreTexts(items.map((item) => responseTranscript(item)));
  }

  /** Scores of both sides of comparisons. */
  async scorePairs(pairs: readonly { chosen: string; rejected: string }[]): Promise<{ chosen: Float32Array; rejected: Float32Array }> {
    const all = await this.scoreTexts([...pairs.map((pair) => pair.chosen), ...pairs.map((pair) => pair.rejected)]);
    return { chosen: all.slice(0, pairs.length), rejected: all.slice(pairs.length) };
  }

  /** Free compiled sessions. */
  release(): Promise<void> {
    return this.model.release();
  }
}

/** The HH transcript of a conversation followed by an assistant response. */
export function responseTranscript(item: ResponseItem): string {
  const prefix = typeof item.conversation === 'string' ? item.conversation : serializeTranscript(item.conversation);
  const open = prefix.endsWith('\n\nAssistant:') ? `${prefix} ` : prefix.endsWith(TURN_MARKERS.assistant) ? prefix : `${prefix}${TURN_MARKERS.assistant}`;
  return open + item.response;
}
