/**
 * Settings of the alignment-tax experiment (`hhrl experiment alignment-tax`): the model sizes (policy and PM scaled
 * together), the seeds run at each size, and one recipe for every cell — π₀'s stages, the mixed PM and PPO, the
 * demo's (the frontier's fields and values). The full preset runs the demo's sizes and stages; `--quick` runs three
 * sizes below `small` with shorter stages, two seeds each, so the whole experiment fits in a quarter of an hour on
 * two cores.
 */
import { z } from 'zod';
import { GPT_SIZES, type GptSize } from '../../model/gpt-config.ts';
import { ConfigError } from '../../spec/errors.ts';
import { parseWith } from '../../train/common/parse-config.ts';
import { OpeningConfigSchema, RECIPE_FIELDS } from './opening-config.ts';

const SIZE_NAMES = Object.keys(GPT_SIZES) as [GptSize, ...GptSize[]];

/** Settings of the experiment (the fields left out come from the preset, see {@link ALIGNMENT_TAX_PRESETS}). */
export const AlignmentTaxConfigSchema = OpeningConfigSchema.pick(RECIPE_FIELDS)
  .extend({
    quick: z.boolean().default(false).describe('sizes nano, micro, tiny, two seeds and shorter stages (see ALIGNMENT_TAX_PRESETS); flags given explicitly still win'),
    sizes: z
      .array(z.enum(SIZE_NAMES))
      .min(3)
      .optional()
      .describe('GPT sizes of the policy and its PM, scaled together, at least 3 (default tiny,small,medium; --quick nano,micro,tiny)'),
    seeds: z
      .array(z.number().int().min(0).max(0xffffffff))
      .min(2)
      .optional()
      .describe('seeds of every stage, one cell per size and seed, at least 2 for an interval (default 0,1,2; --quick 0,1)'),
    lmSteps: z.number().int().min(1).optional().describe('base-LM steps on the world corpus at every size (default 2000, the demo\'s; --quick 800)'),
    sftSteps: z.number().int().min(1).optional().describe('SFT steps (default 600, the demo\'s; --quick 300)'),
    pmSteps: z.number().int().min(1).optional().describe('steps of the mixed PM, an upper bound with early stopping (default 1000, the demo\'s; --quick 300)'),
    ppoSteps: z.number().int().min(1).optional().describe('PPO iterations from π₀ (default 32, the demo\'s; --quick 16)'),
    evalPerSet: z.number().int().min(1).optional().describe('prompts of each held-out evaluation set judged per policy (default 1000: the whole sets; --quick 60)'),
  })
  .describe('alignment tax by model size');

/** The settings `--quick` changes. */
type PresetFields = 'sizes' | 'seeds' | 'lmSteps' | 'sftSteps' | 'pmSteps' | 'ppoSteps' | 'evalPerSet';

/**
 * The full experiment (the demo's sizes tiny and small plus medium, the demo's stages, three seeds) and `--quick`:
 * nano, micro and tiny (12.8k–100k non-embedding parameters) with the online run's quick stages (base LM 800, SFT
 * 300, PM 300, PPO 16) and 60 prompts per evaluation set, two seeds each: six cells.
 */
export const ALIGNMENT_TAX_PRESETS = {
  full: { sizes: ['tiny', 'small', 'medium'], seeds: [0, 1, 2], lmSteps: 2000, sftSteps: 600, pmSteps: 1000, ppoSteps: 32, evalPerSet: 1000 },
  quick: { sizes: ['nano', 'micro', 'tiny'], seeds: [0, 1], lmSteps: 800, sftSteps: 300, pmSteps: 300, ppoSteps: 16, evalPerSet: 60 },
} as const satisfies Record<'full' | 'quick', { sizes: readonly GptSize[]; seeds: readonly number[] } & Record<Exclude<PresetFields, 'sizes' | 'seeds'>, number>>;

/** Resolved settings of the experiment. */
export type AlignmentTaxConfig = Omit<z.infer<typeof AlignmentTaxConfigSchema>, PresetFields> & {
  readonly sizes: readonly GptSize[];
  readonly seeds: readonly number[];
} & Record<Exclude<PresetFields, 'sizes' | 'seeds'>, number>;

/**
 * Validate the settings and fill those not given from the preset.
 * @throws ConfigError naming a bad field, or a size or seed given twice.
 * @example resolveAlignmentTaxConfig({ quick: true }).sizes // ['nano', 'micro', 'tiny']
 */
export function resolveAlignmentTaxConfig(input: unknown): AlignmentTaxConfig {
  const parsed = parseWith(AlignmentTaxConfigSchema, input, 'alignment-tax experiment');
  for (const [name, list] of [
    ['sizes', parsed.sizes],
    ['seeds', parsed.seeds],
  ] as const) {
    const values: readonly unknown[] | undefined = list;
    if (values !== undefined && new Set(values).size !== values.length) throw new ConfigError(`alignment-tax ${name}: ${values.join(',')} names one twice`);
  }
  const preset = ALIGNMENT_TAX_PRESETS[parsed.quick ? 'quick' : 'full'];
  const given = Object.fromEntries(Object.entries(parsed).filter(([, value]) => value !== undefined));
  return { ...preset, ...given } as unknown as AlignmentTaxConfig;
}

/** A cell's folder name under `cells/`: `<size>-seed<seed>` (e.g. `tiny-seed1`). */
export function cellName(size: GptSize, seed: number): string {
  return `${size}-seed${seed}`;
}
