/**
 * Reward functions are plain callables (as in TRL): a batch of (prompt, response) in, one number per
 * item out. A learned preference model, the world oracle and a hand-written rule are interchangeable,
 * so a trainer can be developed and tested against a rule and run against a PM.
 */
import type { PreferenceScorer } from '../preference/pm-scorer.ts';
import { taskUtility } from '../../world/index.ts';
import type { WorldModel } from '../../world/index.ts';
import type { RolloutPrompt } from '../../data/specs/prompts.ts';

/** One response to score. */
export interface RewardInput {
  readonly prompt: RolloutPrompt;
  /** The response text (cut before the stop string). */
  readonly response: string;
}

/** A reward function: one score per item, in order. */
export type RewardFunction = (items: readonly RewardInput[]) => Promise<ArrayLike<number>> | ArrayLike<number>;

/**
 * r_PM of Bai et al. 2022 §4.1: the preference model's score of the whole transcript (one graph run per
 * batch of similar-length transcripts).
 */
export function preferenceModelReward(scorer: PreferenceScorer): RewardFunction {
  return (items) => scorer.scoreResponses(items.map((item) => ({ conversation: item.prompt.conversation, response: item.response })));
}

/**
 * The world oracle's noiseless utility under the harmlessness instruction (less harm first, then more
 * helpfulness; see `taskUtility`) — a gold reward for diagnostics and for checking RL without a PM.
 * Prompts without a known request are identified from their conversation; unrecognized ones score 0.
 */
export function oracleReward(world: WorldModel, task: 'helpful' | 'harmless' = 'harmless'): RewardFunction {
  return (items) =>
    items.map((item) => {
      const request = item.prompt.request ?? world.identify(item.prompt.conversation);
      return request === undefined ? 0 : taskUtility(task, world.judgeRequest(request, item.response));
    });
}

/** Call a reward function and check it returned one finite number per item. */
export async function scoreRewards(reward: RewardFunction, items: readonly RewardInput[]): Promise<Float64Array> {
  const scores = await reward(items);
  if (scores.length !== items.length) throw new RangeError(`reward function returned ${scores.length} scores for ${items.length} items`);
  const out = Float64Array.from(scores);
  const bad = out.findIndex((value) => !Number.isFinite(value));
  if (bad >= 0) throw new RangeError(`reward function returned ${out[bad]} for item ${bad}`);
  return out;
}
