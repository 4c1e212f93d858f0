/**
 * The settings every experiment that starts from one π₀ shares (the frontier, the online run, and the experiments
 * written after them): π₀'s recipe (base LM and SFT, the demo's), PPO's recipe from π₀ (the demo's) and the
 * held-out evaluation. An experiment's schema extends {@link OpeningConfigSchema} with its own stages and restates
 * the preset-sized fields (`lmSteps`, `sftSteps`, `evalPerSet`) with its own defaults in their help;
 * {@link withPreset} then fills the sizes not given from the experiment's full or `--quick` preset.
 */
import { z } from 'zod';

/** Settings of π₀, PPO from π₀ and the evaluation, with the demo's values (sizes left out come from a preset). */
export const OpeningConfigSchema = z
  .strictObject({
    seed: z.number().int().min(0).max(0xffffffff).default(0).describe('seed of every training stage and of evaluation'),
    quick: z.boolean().default(false).describe('the experiment\'s --quick preset of sizes; flags given explicitly still win'),
    lmSize: z.enum(['tiny', 'small']).default('small').describe('GPT size of the policy and of every PM (the demo\'s: small)'),
    vocabSize: z.number().int().min(258).default(1024).describe('BPE vocabulary of the base LM'),
    lmPositions: z.enum(['learned', 'alibi']).default('alibi').describe('position scheme of the base LM (the demo\'s: ALiBi)'),
    lmSteps: z.number().int().min(1).optional().describe('base-LM steps on the world corpus (default: the experiment\'s preset)'),
    lmLearningRate: z.number().positive().max(1).default(2e-3).describe('base-LM peak learning rate (the demo\'s)'),
    sftSteps: z.number().int().min(1).optional().describe('SFT steps (default: the experiment\'s preset)'),
    sftLearningRate: z.number().positive().max(1).default(5e-5).describe('SFT peak learning rate (the demo\'s)'),
    sftComplianceShare: z
      .number()
      .min(0)
      .max(1)
      .default(0.5)
      .describe('share of the harmful-request demonstrations rewritten to comply (the demo\'s helpful-first π₀, which refuses some harmful requests and complies with others)'),
    ppoBatch: z.number().int().min(2).default(64).describe('PPO samples per iteration (the demo\'s)'),
    ppoLearningRate: z.number().positive().max(1).default(3e-5).describe('PPO learning rate (the demo\'s)'),
    klCoef: z.number().min(0).default(0.03).describe('λ_KL of PPO (the demo\'s)'),
    ptxCoef: z
      .number()
      .min(0)
      .default(1)
      .describe('γ of PPO-ptx on the world\'s non-harmful demonstrations (the demo\'s): it keeps answers where demonstrations answer and takes no side on harmful requests, so each arm\'s harmlessness comes from its PM'),
    maxNewTokens: z.number().int().min(1).default(48).describe('most tokens of a PPO response (the demo\'s)'),
    evalMaxNewTokens: z.number().int().min(1).default(64).describe('most tokens of an evaluation response (room for every reply the world writes)'),
    evalPerSet: z.number().int().min(1).optional().describe('at most this many prompts of each held-out evaluation set (default: the experiment\'s preset)'),
    threads: z.number().int().min(1).max(256).default(2).describe('ONNX Runtime intra-op threads'),
  })
  .describe('an experiment from one π₀');

/**
 * The recipe fields of the opening with the demo's values — vocabulary, positions, learning rates, π₀'s compliance
 * share, PPO's batch, λ_KL, γ, reply lengths and threads — for an experiment that runs the recipe at sizes and seeds
 * of its own (`OpeningConfigSchema.pick(RECIPE_FIELDS)`, the alignment tax) rather than one π₀.
 */
export const RECIPE_FIELDS = {
  vocabSize: true,
  lmPositions: true,
  lmLearningRate: true,
  sftLearningRate: true,
  sftComplianceShare: true,
  ppoBatch: true,
  ppoLearningRate: true,
  klCoef: true,
  ptxCoef: true,
  maxNewTokens: true,
  evalMaxNewTokens: true,
  threads: true,
} as const;

/** The opening's settings as parsed (preset-sized fields may still be missing). */
export type OpeningConfigInput = z.infer<typeof OpeningConfigSchema>;

/** The opening's fields an experiment's preset sizes. */
export type OpeningPresetFields = 'lmSteps' | 'sftSteps' | 'evalPerSet';

/**
 * Fill the sizes not given from the experiment's preset (`quick` picks which); a size given explicitly wins. The
 * result keeps the parsed settings' values and order after the preset's keys.
 * @example
 * const presets = { full: { lmSteps: 2000, sftSteps: 600, evalPerSet: 1000 }, quick: { lmSteps: 800, sftSteps: 300, evalPerSet: 60 } };
 * withPreset({ ...parsed, quick: true, sftSteps: 50 }, presets) // lmSteps 800, sftSteps 50, evalPerSet 60
 */
export function withPreset<Parsed extends { readonly quick: boolean }, Sized extends string>(
  parsed: Parsed,
  presets: Readonly<Record<'full' | 'quick', Readonly<Record<Sized, number>>>>,
): Omit<Parsed, Sized> & Record<Sized, number> {
  const given = Object.fromEntries(Object.entries(parsed).filter(([, value]) => value !== undefined));
  return { ...presets[parsed.quick ? 'quick' : 'full'], ...given } as Omit<Parsed, Sized> & Record<Sized, number>;
}
