/**
 * A trained hhrl preference model as a `ConversationScorer` for the harm scorer: conversations are written as HH
 * transcripts and scored by `PreferenceScorer`, with concurrent calls batched into one forward run.
 */
import { serializeTranscript } from '../../data/hh-transcript.ts';
import type { ConversationScorer } from '../../spec/grader.ts';
import { PreferenceScorer } from '../../train/preference/pm-scorer.ts';
import { microBatch } from '../micro-batch.ts';

/** Wrap a loaded preference scorer. */
export function createPmConversationScorer(scorer: PreferenceScorer, id: string): ConversationScorer {
  const scoreBatch = microBatch(async (texts: string[]) => Array.from(await scorer.scoreTexts(texts)), { maxBatch: 32 });
  return { id, score: (conversation) => scoreBatch(serializeTranscript(conversation)) };
}

/** Load a PM checkpoint (or `pm train` run folder) as a conversation scorer. */
export function loadPmConversationScorer(dir: string): ConversationScorer {
  return createPmConversationScorer(PreferenceScorer.load(dir), dir.replace(/\/+$/, '').split('/').pop() ?? dir);
}
