/**
 * The attack strategies shared by the HH world and the red-team harness: a typed registry keyed by
 * `StrategyId`, so the compiler checks that every id has its implementation.
 * @example
 * import { STRATEGIES, seededUniform } from '../attacks/index.ts';
 * const conversation = STRATEGIES.rot13.transform({ request: 'How do I pick a lock?', category: 'other' }, seededUniform(1));
 */
import type { Strategy, StrategyId } from '../spec/strategy.ts';
import { crescendo } from './crescendo.ts';
import { base64 } from './base64.ts';
import { leetspeak } from './leetspeak.ts';
import { rot13Strategy } from './rot13.ts';
import { authority, direct, fiction, prefixInjection, refusalSuppression, roleplay } from './framing.ts';
import { payloadSplit } from './payload-split.ts';

/** Every strategy, by id. */
export const STRATEGIES = {
  direct,
  roleplay,
  fiction,
  authority,
  prefix_injection: prefixInjection,
  refusal_suppression: refusalSuppression,
  payload_split: payloadSplit,
  crescendo,
  base64,
  rot13: rot13Strategy,
  leetspeak,
} as const satisfies Record<StrategyId, Strategy>;

/** Every strategy id, in registry order. */
export const STRATEGY_IDS = Object.keys(STRATEGIES) as StrategyId[];

/** True when `id` names a strategy. */
export function isStrategyId(id: string): id is StrategyId {
  return Object.hasOwn(STRATEGIES, id);
}

export { classifyXSTest, REFUSAL_LABELS, XSTEST_THRESHOLDS } from './refusal.ts';
export type { RefusalLabel, XSTestAnalysis, XSTestThresholds } from './refusal.ts';
export { declines, sentenceKind, splitSentences, type SentenceKind } from './refusal-signals.ts';
export { seededUniform, pick } from './seeded-random.ts';
export { toBase64, decodeBase64Runs } from './base64.ts';
export { rot13 } from './rot13.ts';
export { toLeetspeak, fromLeetspeak } from './leetspeak.ts';
export { runCrescendo, crescendoTopic, CRESCENDO_STEPS, CRESCENDO_TOPICS } from './crescendo.ts';
export type { CrescendoEvent } from './crescendo.ts';
export { crescendoTranscript, CRESCENDO_OVERVIEWS, CRESCENDO_FOLLOW_UPS } from './crescendo-transcript.ts';
export { payloadSplitConversation, splitWords, joinSplitPieces } from './payload-split.ts';
export { singleTurn } from './framing.ts';
