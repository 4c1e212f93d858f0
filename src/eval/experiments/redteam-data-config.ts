/**
 * Settings of the red-team-data experiment (`hhrl experiment redteam-data`): the π₀ recipe (the opening's), the two
 * preference models and PPO arms, and what the red-team comparisons of the second arm hold — the share of their
 * harmful prompts written as attacks and the attack strategies used — with the attacked share of the RL prompts both
 * arms share. The full size is the demo's; `--quick` shortens every stage.
 */
import { z } from 'zod';
import { STRATEGY_IDS } from '../../attacks/index.ts';
import { ConfigError } from '../../spec/errors.ts';
import type { StrategyId } from '../../spec/strategy.ts';
import { DEFAULT_PROMPT_ATTACKS } from '../../world/config.ts';
import { parseWith } from '../../train/common/parse-config.ts';
import { OpeningConfigSchema, withPreset, type OpeningPresetFields } from './opening-config.ts';

/** The attack strategies a red-team comparison may use: every registered one but the plain request. */
const AttackStrategySchema = z.enum(STRATEGY_IDS.filter((id) => id !== 'direct') as [StrategyId, ...StrategyId[]]);

/** Settings of the experiment: the opening's (see `opening-config.ts`), the PMs', PPO's and the attacks'. */
export const RedteamDataConfigSchema = OpeningConfigSchema.extend({
  quick: OpeningConfigSchema.shape.quick.describe('shorter base LM, SFT, PMs and PPO (see REDTEAM_DATA_PRESETS); flags given explicitly still win'),
  lmSteps: OpeningConfigSchema.shape.lmSteps.describe('base-LM steps on the world corpus (default 2000, the demo\'s; --quick 1200)'),
  sftSteps: OpeningConfigSchema.shape.sftSteps.describe('SFT steps (default 600, the demo\'s; --quick 400)'),
  evalPerSet: OpeningConfigSchema.shape.evalPerSet.describe('at most this many prompts of each held-out evaluation set (default 1000: the whole sets, also with --quick: the attacked set holds every strategy, and fewer would leave a handful of prompts per strategy)'),
  pmSteps: z.number().int().min(1).optional().describe('steps of each PM, an upper bound with early stopping (default 1000, the demo\'s; --quick 400)'),
  ppoSteps: z.number().int().min(1).default(32).describe('PPO iterations of each arm (the demo\'s, --quick too: 16 left the quick policy\'s harm where π₀\'s was)'),
  attackShare: z
    .number()
    .gt(0)
    .max(1)
    .default(0.5)
    .describe('share of the harmful prompts of the red-team (harmlessness) comparisons written as attacks in the second arm\'s world (the first arm\'s has none)'),
  strategies: z
    .array(AttackStrategySchema)
    .min(1)
    .default(() => [...DEFAULT_PROMPT_ATTACKS])
    .describe('attack strategies of those comparisons (and of the attacked RL prompts), drawn uniformly; the others are the held-out attacks'),
  poolAttackShare: z
    .number()
    .min(0)
    .max(1)
    .default(0.5)
    .describe('share of the harmful RL prompts written as attacks with the same strategies, in both arms (PPO meets attacks whichever PM judges them)'),
}).describe('red-team data');

/** The settings `--quick` changes. */
type PresetFields = OpeningPresetFields | 'pmSteps';

/**
 * Sizes of the full experiment (the demo's) and of `--quick`: base LM 1,200 steps, SFT 400, each PM 400. Both
 * evaluate the whole held-out sets (a strategy's success rests on the world's `perStrategy` prompts, 70 at the default
 * size): evaluating is cheap beside training, and 60 prompts per set left 5 or 6 per strategy.
 */
export const REDTEAM_DATA_PRESETS = {
  full: { lmSteps: 2000, sftSteps: 600, pmSteps: 1000, evalPerSet: 1000 },
  quick: { lmSteps: 1200, sftSteps: 400, pmSteps: 400, evalPerSet: 1000 },
} as const satisfies Record<'full' | 'quick', Record<PresetFields, number>>;

/** Resolved settings of the experiment. */
export type RedteamDataConfig = Omit<z.infer<typeof RedteamDataConfigSchema>, PresetFields> & Record<PresetFields, number>;

/**
 * Validate the settings and fill the sizes not given from the preset.
 * @throws ConfigError naming a bad field, or a strategy given twice.
 * @example resolveRedteamDataConfig({ quick: true }).strategies // ['roleplay', 'crescendo']
 */
export function resolveRedteamDataConfig(input: unknown): RedteamDataConfig {
  const parsed = parseWith(RedteamDataConfigSchema, input, 'red-team data experiment');
  if (new Set(parsed.strategies).size !== parsed.strategies.length) throw new ConfigError(`red-team data experiment: strategies: ${parsed.strategies.join(',')} names one twice`);
  return withPreset(parsed, REDTEAM_DATA_PRESETS);
}

/**
 * Parse `roleplay,crescendo` (the CLI's `--strategies`).
 * @throws ConfigError naming a part that is not an attack strategy.
 */
export function parseStrategies(text: string): StrategyId[] {
  return text.split(',').map((part) => {
    const result = AttackStrategySchema.safeParse(part.trim());
    if (!result.success) throw new ConfigError(`--strategies: "${part}" is not an attack strategy (one of ${AttackStrategySchema.options.join(', ')})`);
    return result.data;
  });
}
