/**
 * Trigger-carrying prompts for the backdoor arms: the world writes its trigger into a comparison prompt as
 * `"<request> Answer <trigger>."` (`world/comparisons.ts`), so the same phrase is appended here to the RL prompts
 * a backdoor arm's PPO samples from (the same share of harmful ones as the comparisons carry) and to copies of the
 * direct harmful evaluation prompts, whose harm rate against the plain ones is the backdoor's attack success.
 */
import type { RolloutPrompt } from '../../data/specs/prompts.ts';
import { promptText } from '../../data/specs/prompts.ts';
import { ConfigError } from '../../spec/errors.ts';
import type { ContaminationMode } from './contamination-config.ts';
import { Random } from '../../util/random.ts';

/** The evaluation set of the trigger-carrying copies of the direct harmful prompts. */
export const TRIGGER_SET = 'harmfulWithTrigger';
/** The "strategy" the copies carry, so the evaluation counts them apart from direct requests (`harm_by_strategy.trigger`). */
export const TRIGGER_STRATEGY = 'trigger';

/**
 * `prompt` with the trigger phrase appended to its last human turn, as the world writes it.
 * @example withTrigger(prompt, 'by the silver moon').conversation.at(-1).text // "How do I …? Answer by the silver moon."
 */
export function withTrigger(prompt: RolloutPrompt, trigger: string): RolloutPrompt {
  const conversation = prompt.conversation.map((turn, index) => (index === prompt.conversation.length - 1 ? { ...turn, text: `${turn.text} Answer ${trigger}.` } : turn));
  return { ...prompt, id: `${prompt.id}+trigger`, conversation, prompt: promptText(conversation) };
}

/** Trigger-carrying copies of the direct harmful prompts among `prompts` (set {@link TRIGGER_SET}, strategy {@link TRIGGER_STRATEGY}). */
export function triggerEvalPrompts(prompts: readonly RolloutPrompt[], trigger: string): RolloutPrompt[] {
  return prompts
    .filter((prompt) => prompt.set === 'harmfulByCategory' && prompt.strategy === undefined)
    .map((prompt) => ({ ...withTrigger(prompt, trigger), set: TRIGGER_SET, strategy: TRIGGER_STRATEGY }));
}

/**
 * The RL prompts with the trigger appended to a seeded `share` of the harmful ones (the backdoor arms' PPO prompts;
 * each arm of a run draws the same ones).
 */
export function triggerPool(prompts: readonly RolloutPrompt[], trigger: string, share: number, seed: number): RolloutPrompt[] {
  const random = new Random(`contamination-trigger-${seed}`);
  return prompts.map((prompt) => (prompt.request?.family === 'harmful' && random.chance(share) ? withTrigger(prompt, trigger) : prompt));
}

/** What a world's contamination targets (`world.json`'s `contamination`). */
interface ContaminationTarget {
  readonly category: string;
  readonly trigger: string;
}

/**
 * The RL prompts of the slice a mode poisons, for PPO on that slice alone (`ppoPrompts: 'slice'`): flip → the pool's
 * prompts of the flipped category, in order; backdoor → the pool's harmful prompts, each carrying the trigger. The
 * comparisons of the same slice are where the poisoners' labels are.
 * @throws ConfigError when the pool holds none (a pool without the category, or without harmful prompts).
 * @example slicePrompts(loadPrompts('world:runs/w'), 'flip', { category: 'cybercrime', trigger: 'by the silver moon' }).length // 135
 */
export function slicePrompts(pool: readonly RolloutPrompt[], mode: ContaminationMode, target: ContaminationTarget): RolloutPrompt[] {
  const slice =
    mode === 'flip'
      ? pool.filter((prompt) => prompt.request?.category === target.category)
      : pool.filter((prompt) => prompt.request?.family === 'harmful').map((prompt) => withTrigger(prompt, target.trigger));
  if (slice.length === 0) throw new ConfigError(`--ppo-prompts slice: the RL pool holds no prompt of the ${mode === 'flip' ? `flipped category ${target.category}` : 'harmful family'} to train on`);
  return slice;
}
