/**
 * Settings of the helpful–harmless frontier experiment (`hhrl experiment frontier`): the π₀ recipe (base LM and
 * SFT, the demo's), the preference models (one per helpful:harmless mix) and PPO against each. The full size is
 * the demo's; `--quick` shortens the base LM, SFT, the PMs and the evaluation so the whole experiment fits in about
 * a quarter of an hour on two cores.
 */
import { z } from 'zod';
import { ConfigError } from '../../spec/errors.ts';
import { parseWith } from '../../train/rollout/rl-config.ts';

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

/** Settings of the experiment (the sizes left out come from the preset, see {@link FRONTIER_PRESETS}). */
export const FrontierConfigSchema = z
  .strictObject({
    seed: z.number().int().min(0).max(0xffffffff).default(0).describe('seed of every training stage and of evaluation'),
    quick: z.boolean().default(false).describe('shorter base LM, SFT and PMs and 150 evaluation prompts per set (see FRONTIER_PRESETS); flags given explicitly still win'),
    lmSize: z.enum(['tiny', 'small']).default('small').describe('GPT size of the policy and of every PM (the demo\'s: small)'),
    vocabSize: z.number().int().min(258).default(1024).describe('BPE vocabulary of the base LM'),
    lmPositions: z.enum(['learned', 'alibi']).default('alibi').describe('position scheme of the base LM (the demo\'s: ALiBi)'),
    lmSteps: z.number().int().min(1).optional().describe('base-LM steps on the world corpus (default 2000, the demo\'s; --quick 1200)'),
    lmLearningRate: z.number().positive().max(1).default(2e-3).describe('base-LM peak learning rate (the demo\'s)'),
    sftSteps: z.number().int().min(1).optional().describe('SFT steps (default 600, the demo\'s; --quick 400)'),
    sftLearningRate: z.number().positive().max(1).default(5e-5).describe('SFT peak learning rate (the demo\'s)'),
    sftComplianceShare: z
      .number()
      .min(0)
      .max(1)
      .default(0.5)
      .describe('share of the harmful-request demonstrations rewritten to comply (the demo\'s helpful-first π₀, which refuses some harmful requests and complies with others)'),
    pmSteps: z.number().int().min(1).optional().describe('steps of each PM, an upper bound with early stopping (default 1000, the demo\'s; --quick 400)'),
    ppoSteps: z.number().int().min(1).default(32).describe('PPO iterations of each arm (the demo\'s)'),
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
    evalPerSet: z.number().int().min(1).optional().describe('at most this many prompts of each held-out evaluation set (default 1000: the whole sets; --quick 150)'),
    mixes: z
      .array(MixSchema)
      .default([
        { helpful: 3, harmless: 1 },
        { helpful: 1, harmless: 3 },
      ])
      .describe('the other helpful:harmless mixes, each one more PM and PPO arm'),
    threads: z.number().int().min(1).max(256).default(2).describe('ONNX Runtime intra-op threads'),
  })
  .describe('helpful–harmless frontier');

/**
 * The recipe fields other experiments take from this schema with the frontier's (the demo's) values — vocabulary,
 * positions, learning rates, π₀'s compliance share, PPO's batch, λ_KL, γ, reply lengths and threads — for
 * `FrontierConfigSchema.pick(...)`; each adds its own sizes and seeds.
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

/** The settings `--quick` changes. */
type PresetFields = 'lmSteps' | 'sftSteps' | 'pmSteps' | 'evalPerSet';

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
  const preset = FRONTIER_PRESETS[parsed.quick ? 'quick' : 'full'];
  const given = Object.fromEntries(Object.entries(parsed).filter(([, value]) => value !== undefined));
  return { ...preset, ...given } as FrontierConfig;
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
