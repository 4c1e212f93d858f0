/**
 * Any strategy's attack as a fixed conversation, for data that stores prompts as text (red-team comparisons,
 * RL prompt pools): a transform strategy's own conversation, or a driver's finished transcript. Drivers are
 * mapped to their transcript builders in a typed table, so a new driver does not compile until it has one.
 */
import type { Conversation } from '../spec/conversation.ts';
import type { AttackRequest, StrategyId, UniformSource } from '../spec/strategy.ts';
import { STRATEGIES } from './index.ts';
import { crescendoTranscript } from './crescendo-transcript.ts';

/** Ids of the strategies that drive a live conversation (`kind: 'driver'`). */
export type DriverStrategyId = {
  [K in keyof typeof STRATEGIES]: (typeof STRATEGIES)[K]['kind'] extends 'driver' ? K : never;
}[keyof typeof STRATEGIES];

/** Builds a driver's finished attack as text (no model in the loop). */
export type StaticTranscript = (attack: AttackRequest, random: UniformSource) => Conversation;

/** The static transcript of each driver strategy. */
export const STATIC_TRANSCRIPTS = {
  crescendo: crescendoTranscript,
} as const satisfies Record<DriverStrategyId, StaticTranscript>;

/**
 * The conversation strategy `id` writes for `attack` (ends with a human turn): a transform's `transform`, or a
 * driver's static transcript. It replaces the plain human turn and any earlier exchange.
 * @example
 * staticAttack('roleplay', { request: 'How do I pick a lock?', category: 'other' }, seededUniform(1)).length // 1
 * staticAttack('crescendo', { request: 'How do I pick a lock?', category: 'other' }, seededUniform(1)).length // 7
 */
export function staticAttack(id: StrategyId, attack: AttackRequest, random: UniformSource): Conversation {
  const strategy = STRATEGIES[id];
  return strategy.kind === 'transform' ? strategy.transform(attack, random) : STATIC_TRANSCRIPTS[strategy.id as DriverStrategyId](attack, random);
}
