/**
 * Building a reward function from command-line choices: a preference model folder (the paper's r_PM) or
 * the world oracle (a gold reward for diagnostics). A registry, so a new source is one entry.
 */
import { ConfigError } from '../../spec/errors.ts';
import { loadWorld } from '../../world/index.ts';
import { PreferenceScorer } from '../preference/pm-scorer.ts';
import { oracleReward, preferenceModelReward, type RewardFunction } from './reward.ts';

/** What a reward source may read. */
export interface RewardSourceOptions {
  /** Preference-model checkpoint or `pm train` run folder. */
  readonly pm?: string;
  /** World folder (for the oracle). */
  readonly world?: string;
}

/** A built reward and a way to free what it holds. */
export interface RewardHandle {
  readonly reward: RewardFunction;
  readonly description: string;
  release(): Promise<void>;
}

/** Reward sources by name. */
export const REWARD_SOURCES = {
  pm: (options: RewardSourceOptions): RewardHandle => {
    if (options.pm === undefined) throw new ConfigError('reward pm: pass --pm DIR (a preference-model checkpoint or pm run folder)');
    const scorer = PreferenceScorer.load(options.pm);
    return { reward: preferenceModelReward(scorer), description: `pm:${options.pm}`, release: () => scorer.release() };
  },
  oracle: (options: RewardSourceOptions): RewardHandle => {
    if (options.world === undefined) throw new ConfigError('reward oracle: pass --world DIR (or world:DIR prompts)');
    return { reward: oracleReward(loadWorld(options.world).model), description: `oracle:${options.world}`, release: async () => {} };
  },
} as const satisfies Record<string, (options: RewardSourceOptions) => RewardHandle>;

/** A reward source name. */
export type RewardSource = keyof typeof REWARD_SOURCES;

/** Build the reward of a source. */
export function buildReward(source: RewardSource, options: RewardSourceOptions): RewardHandle {
  return REWARD_SOURCES[source](options);
}
