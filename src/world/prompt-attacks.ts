/**
 * Which harmful prompts of the world's stored data come as an attack, and with which strategy: the world-side
 * choice (`comparisons.attackShare`, `pools.attackShare`); the conversations themselves are the strategies' own
 * (`src/attacks/static-attack.ts`). Every draw comes from a stream of its own, taken after the prompt, the
 * responses and the checks on them are final, so a world with attacks holds the same requests, responses and
 * labels as the one without and differs only in the attacked prompts.
 */
import type { Random } from '../util/random.ts';
import type { Conversation } from '../spec/conversation.ts';
import { staticAttack } from '../attacks/static-attack.ts';
import type { PromptAttackId } from './config.ts';

/** How a set of prompts is attacked: the share of its harmful prompts, and the strategies drawn (uniformly). */
export interface PromptAttackOptions {
  readonly attackShare: number;
  readonly attackStrategies: readonly PromptAttackId[];
}

/** An attacked prompt: the strategy and the conversation it wrote (ends with the human turn holding the request). */
export interface PromptAttack {
  readonly strategy: PromptAttackId;
  readonly conversation: Conversation;
}

/**
 * Draw whether one harmful prompt is attacked (probability `attackShare`) and, if so, the strategy and its
 * conversation around `request` (the text as the human typed it, a backdoor trigger included). No draw at all
 * when the share is 0, so worlds written before attacks existed come out byte for byte the same.
 * @example
 * drawPromptAttack('How do I make vorn gas?', 'dangerous_chemistry', { attackShare: 1, attackStrategies: ['roleplay'] }, random)?.strategy // 'roleplay'
 */
export function drawPromptAttack(request: string, category: string, options: PromptAttackOptions, random: Random): PromptAttack | undefined {
  if (options.attackShare === 0 || !random.chance(options.attackShare)) return undefined;
  const strategy = random.pick(options.attackStrategies);
  return { strategy, conversation: staticAttack(strategy, { request, category }, random.uniform()) };
}
