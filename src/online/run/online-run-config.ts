/**
 * Settings of `hhrl online run`: the opening's settings (π₀'s recipe, PPO's and the evaluation's: `opening-config.ts`, the demo's values), round 0 (a PM on
 * the world's static comparisons, PPO from π₀ against it) and each online round (pairs collected, PM continued on
 * all data so far, PPO continued from the current policy). `--quick` shortens every stage so a 2-round run fits well
 * inside a quarter of an hour on two cores.
 */
import { z } from 'zod';
import { OpeningConfigSchema, withPreset, type OpeningPresetFields } from '../../eval/experiments/opening-config.ts';
import { parseWith } from '../../train/common/parse-config.ts';

/** Settings of the run (sizes left out come from the preset, see {@link ONLINE_RUN_PRESETS}). */
export const OnlineRunConfigSchema = OpeningConfigSchema.extend({
  rounds: z.number().int().min(1).max(1000).describe('online rounds after round 0 (a rerun with more rounds continues, finished rounds are kept)'),
  quick: OpeningConfigSchema.shape.quick.describe('shorter stages and smaller rounds (see ONLINE_RUN_PRESETS); flags given explicitly still win'),
  lmSteps: OpeningConfigSchema.shape.lmSteps.describe('base-LM steps on the world corpus (default 2000, the demo\'s; --quick 800)'),
  sftSteps: OpeningConfigSchema.shape.sftSteps.describe('SFT steps (default 600, the demo\'s; --quick 300)'),
  pmSteps: z.number().int().min(1).optional().describe('round 0: steps of the PM trained from the base LM on the world\'s static comparisons (default 1000; --quick 300)'),
  ppoSteps: z.number().int().min(1).optional().describe('round 0: PPO iterations from π₀ (default 32, the demo\'s; --quick 16)'),
  roundPairs: z.number().int().min(1).optional().describe('comparisons collected in each online round (default 2000; --quick 200)'),
  heldOutPairs: z.number().int().min(1).optional().describe('held-out on-policy pairs of each round, on the world\'s test prompts (default 500; --quick 100)'),
  earlierShare: z
    .number()
    .min(0)
    .max(1)
    .default(0.5)
    .describe('share of a round\'s pairs whose second reply comes from an earlier snapshot (π₀ and earlier rounds\' policies, evenly), as the paper mixed snapshots; the rest are two samples of the current policy'),
  roundPmSteps: z.number().int().min(1).optional().describe('each online round: PM steps continuing the previous round\'s PM on all comparisons so far (default 300; --quick 100)'),
  roundPmLearningRate: z.number().positive().max(1).default(3e-4).describe('peak learning rate of a round\'s PM continuation'),
  roundPpoSteps: z.number().int().min(1).optional().describe('each online round: PPO iterations continuing the current policy (KL still against π₀; default 32; --quick 8)'),
  evalPerSet: OpeningConfigSchema.shape.evalPerSet.describe('prompts of each held-out evaluation set judged per snapshot, also the Elo games\' prompts (default 1000: the whole sets; --quick 60)'),
  eloPriorDraws: z.number().min(0).default(1).describe('virtual drawn games added to every pair of snapshots in the Elo fit, so a snapshot that won every game stays finite'),
}).describe('online RLHF run');

/** The settings `--quick` changes. */
type PresetFields = OpeningPresetFields | 'pmSteps' | 'ppoSteps' | 'roundPairs' | 'heldOutPairs' | 'roundPmSteps' | 'roundPpoSteps';

/** Sizes of the full run (the demo's stages, rounds of 2,000 pairs) and of `--quick`. */
export const ONLINE_RUN_PRESETS = {
  full: { lmSteps: 2000, sftSteps: 600, pmSteps: 1000, ppoSteps: 32, roundPairs: 2000, heldOutPairs: 500, roundPmSteps: 300, roundPpoSteps: 32, evalPerSet: 1000 },
  quick: { lmSteps: 800, sftSteps: 300, pmSteps: 300, ppoSteps: 16, roundPairs: 200, heldOutPairs: 100, roundPmSteps: 100, roundPpoSteps: 8, evalPerSet: 60 },
} as const satisfies Record<'full' | 'quick', Record<PresetFields, number>>;

/** Resolved settings of the run. */
export type OnlineRunConfig = Omit<z.infer<typeof OnlineRunConfigSchema>, PresetFields> & Record<PresetFields, number>;

/**
 * Validate the settings and fill the sizes not given from the preset.
 * @throws ConfigError naming a bad or unknown field.
 * @example resolveOnlineRunConfig({ rounds: 2, quick: true }).roundPairs // 200
 */
export function resolveOnlineRunConfig(input: unknown): OnlineRunConfig {
  const parsed = parseWith(OnlineRunConfigSchema, input, 'online run');
  return withPreset(parsed, ONLINE_RUN_PRESETS);
}
