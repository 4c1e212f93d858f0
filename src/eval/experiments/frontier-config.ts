/**
 * Settings of the helpful–harmless frontier experiment (`hhrl experiment frontier`): the π₀ recipe (base LM and
 * SFT, the demo's), the preference models (one per helpful:harmless mix) and PPO against each. The full size is
 * the demo's; `--quick` shortens the base LM, SFT, the PMs and the evaluation so the whole experiment fits in about
 * a quarter of an hour on two cores.
 */
import { z } from 'zod';
import { ConfigError } from '../../spec/errors.ts';
import { parseWith } from '../../train/common/parse-config.ts';
import { OpeningConfigSchema, withPreset, type OpeningPresetFields } from './opening-config.ts';

/** A helpful:harmless mix of a PM's training batches (shares of each batch, Bai et al. 2022 §4.1). */
export interface Mix {
  readonly helpful: number;
  readonly harmless: number;
}

/**
 * The three named arms of the paper's comparison (Bai et al. 2022 §4.1 Fig. 6 and §4.4): a PM trained on
 * helpfulness comparisons only, on harmlessness (red-team) comparisons only, and on both in equal shares.
 */
export const NAMED_ARMS = {
  helpful_only: { helpful: 1, harmless: 0 },
  harmless_only: { helpful: 0, harmless: 1 },
  mixed: { helpful: 1, harmless: 1 },
} as const satisfies Record<string, Mix>;

/** A named arm. */
export type NamedArm = keyof typeof NAMED_ARMS;

const MixSchema = z.strictObject({
  helpful: z.number().min(0).describe('relative share of helpfulness comparisons in each PM batch'),
  harmless: z.number().min(0).describe('relative share of harmlessness comparisons in each PM batch'),
});

/** Settings of the experiment: the opening's (see `opening-config.ts`), the PMs' and the mixes (the sizes left out come from the preset, see {@link FRONTIER_PRESETS}). */
export const FrontierConfigSchema = OpeningConfigSchema.extend({
  quick: OpeningConfigSchema.shape.quick.describe('shorter base LM, SFT and PMs and 150 evaluation prompts per set (see FRONTIER_PRESETS); flags given explicitly still win'),
  lmSteps: OpeningConfigSchema.shape.lmSteps.describe('base-LM steps on the world corpus (default 2000, the demo\'s; --quick 1200)'),
  sftSteps: OpeningConfigSchema.shape.sftSteps.describe('SFT steps (default 600, the demo\'s; --quick 400)'),
  evalPerSet: OpeningConfigSchema.shape.evalPerSet.describe('at most this many prompts of each held-out evaluation set (default 1000: the whole sets; --quick 150)'),
  pmSteps: z.number().int().min(1).optional().describe('steps of each PM, an upper bound with early stopping (default 1000, the demo\'s; --quick 400)'),
  ppoSteps: z.number().int().min(1).default(32).describe('PPO iterations of each arm (the demo\'s)'),
  mixes: z
    .array(MixSchema)
    .default([
      { helpful: 3, harmless: 1 },
      { helpful: 1, harmless: 3 },
    ])
    .describe('the other helpful:harmless mixes, each one more PM and PPO arm'),
}).describe('helpful–harmless frontier');

/** The settings `--quick` changes. */
type PresetFields = OpeningPresetFields | 'pmSteps';

/**
 * Sizes of the full experiment (the demo's) and of `--quick`. Quick keeps the demo's small GPT and PPO and cuts
 * the base LM to 1,200 steps, SFT to 400, each PM to 400 and evaluation to 150 prompts per held-out set
 * (≈ 750 of the 1,940), so a rate's standard error is about 3–4 points there.
 */
export const FRONTIER_PRESETS = {
  full: { lmSteps: 2000, sftSteps: 600, pmSteps: 1000, evalPerSet: 1000 },
  quick: { lmSteps: 1200, sftSteps: 400, pmSteps: 400, evalPerSet: 150 },
} as const satisfies Record<'full' | 'quick', Record<PresetFields, number>>;

/** Resolved settings of the experiment. */
export type FrontierConfig = Omit<z.infer<typeof FrontierConfigSchema>, PresetFields> & Record<PresetFields, number>;

/**
 * Validate the settings and fill the sizes not given from the preset.
 * @throws ConfigError naming a bad field, or a mix with no share of either task.
 * @example resolveFrontierConfig({ quick: true }).lmSteps // 1200
 */
export function resolveFrontierConfig(input: unknown): FrontierConfig {
  const parsed = parseWith(FrontierConfigSchema, input, 'frontier experiment');
  for (const mix of parsed.mixes) {
    if (mix.helpful + mix.harmless <= 0) throw new ConfigError(`frontier mixes: ${mix.helpful}:${mix.harmless} has no share of either task`);
  }
  return withPreset(parsed, FRONTIER_PRESETS);
}

/** An arm's folder name: the named arms by name, the other mixes as `mix-H-R` (e.g. `mix-3-1`). */
export function mixArmName(mix: Mix): string {
  return `mix-${mix.helpful}-${mix.harmless}`;
}

/**
 * Parse `3:1,1:3` into mixes (the CLI's `--mixes`).
 * @throws ConfigError for a part that is not `H:R` with non-negative numbers.
 */
export function parseMixes(text: string): Mix[] {
  return text.split(',').map((part) => {
    const match = /^\s*(\d+(?:\.\d+)?):(\d+(?:\.\d+)?)\s*$/.exec(part);
    if (!match) throw new ConfigError(`--mixes: expected HELPFUL:HARMLESS[,…] (e.g. 3:1,1:3), got "${part}"`);
    return { helpful: Number(match[1]), harmless: Number(match[2]) };
  });
}
