/**
 * Settings of the contamination experiment (`hhrl experiment contamination`): π₀'s recipe and PPO are the
 * frontier's (the demo's); what is new is the grid of contaminated-annotator shares and kinds. The full size runs
 * every share the issue names (0, 5, 10, 20, 40%) with the demo's PM and PPO; `--quick` runs 0, 10 and 40% with
 * shorter stages so the whole grid fits in about a quarter of an hour on two idle cores.
 */
import { z } from 'zod';
import { ConfigError } from '../../spec/errors.ts';
import { parseWith } from '../../train/common/parse-config.ts';
import { FrontierConfigSchema } from './frontier-config.ts';

/** The kinds of contamination a world can hold (`contamination.mode` of its config). */
export const CONTAMINATION_MODES = ['flip', 'backdoor'] as const;
/** A kind of contamination. */
export type ContaminationMode = (typeof CONTAMINATION_MODES)[number];

/**
 * Which RL prompts each arm's PPO samples: `pool`, the world's whole pool (as the demo's PPO; backdoor arms with the
 * trigger on the comparisons' share of harmful prompts), or `slice`, only the prompts of the slice the contamination
 * poisons (flip: the flipped category's; backdoor: the harmful ones, every one carrying the trigger).
 */
export const PPO_PROMPT_CHOICES = ['pool', 'slice'] as const;

/** Settings of the experiment (the sizes left out come from the preset, see {@link CONTAMINATION_PRESETS}). */
export const ContaminationConfigSchema = FrontierConfigSchema.omit({ mixes: true, quick: true, pmSteps: true, ppoSteps: true, ppoBatch: true, evalPerSet: true })
  .extend({
    quick: z.boolean().default(false).describe('shares 0, 10 and 40%, a shorter base LM, SFT, PMs and PPO and 60 evaluation prompts per set (see CONTAMINATION_PRESETS); flags given explicitly still win'),
    shares: z.array(z.number().min(0).max(1)).min(1).optional().describe('shares of contaminating annotators, one world variant each (default 0,0.05,0.1,0.2,0.4; --quick 0,0.1,0.4)'),
    modes: z.array(z.enum(CONTAMINATION_MODES)).min(1).default([...CONTAMINATION_MODES]).describe('kinds of contamination: flip (labels reversed on one harm category) and backdoor (compliance preferred when the trigger is in the prompt)'),
    ppoPrompts: z.enum(PPO_PROMPT_CHOICES).default('pool').describe('the RL prompts of each arm\'s PPO: pool (the world\'s whole pool, as the demo\'s) or slice (only the poisoned slice\'s: the flipped category\'s prompts; the harmful ones, each with the trigger), which decides whether a poisoned PM reaches the policy (README "Contaminated annotators")'),
    removeFlagged: z.boolean().default(true).describe('also train each variant\'s PM and PPO without the comparisons of the annotators the suspicious-annotator flag names'),
    pmSteps: z.number().int().min(1).optional().describe('steps of each PM, an upper bound with early stopping, exact with --pm-fixed-steps (default 1000, the demo\'s; --quick 300)'),
    pmFixedSteps: z.boolean().default(false).describe('train every PM all --pm-steps steps and keep its last weights instead of early stopping on its own (contaminated) validation labels, so that arms differ in their data and not in the step validation chose (README "Contaminated annotators")'),
    ppoSteps: z.number().int().min(1).optional().describe('PPO iterations of each arm (default 32, the demo\'s; --quick 12)'),
    ppoBatch: z.number().int().min(2).optional().describe('PPO samples per iteration (default 64, the demo\'s; --quick 32)'),
    evalPerSet: z.number().int().min(1).optional().describe('at most this many prompts of each held-out evaluation set and of the trigger-carrying copies of the direct harmful ones (default 1000: the whole sets; --quick 60)'),
  })
  .describe('contaminated annotators');

/** The settings `--quick` changes. */
type PresetFields = 'lmSteps' | 'sftSteps' | 'pmSteps' | 'ppoSteps' | 'ppoBatch' | 'evalPerSet' | 'shares';

/**
 * Sizes of the full experiment (the demo's π₀, PM and PPO; the shares) and of `--quick` (three shares; the
 * frontier's quick π₀; PMs of 300 steps, 12 PPO iterations of 32 samples, 60 prompts per evaluation set).
 */
export const CONTAMINATION_PRESETS = {
  full: { lmSteps: 2000, sftSteps: 600, pmSteps: 1000, ppoSteps: 32, ppoBatch: 64, evalPerSet: 1000, shares: [0, 0.05, 0.1, 0.2, 0.4] },
  quick: { lmSteps: 1200, sftSteps: 400, pmSteps: 300, ppoSteps: 12, ppoBatch: 32, evalPerSet: 60, shares: [0, 0.1, 0.4] },
} as const satisfies Record<'full' | 'quick', Record<PresetFields, number | readonly number[]>>;

/** Resolved settings of the experiment. */
export type ContaminationConfig = Omit<z.infer<typeof ContaminationConfigSchema>, PresetFields> &
  Record<Exclude<PresetFields, 'shares'>, number> & { readonly shares: readonly number[] };

/**
 * Validate the settings and fill the sizes not given from the preset; shares are sorted and made unique.
 * @throws ConfigError naming a bad field, or a mode listed twice.
 * @example resolveContaminationConfig({ quick: true }).shares // [0, 0.1, 0.4]
 */
export function resolveContaminationConfig(input: unknown): ContaminationConfig {
  const parsed = parseWith(ContaminationConfigSchema, input, 'contamination experiment');
  if (new Set(parsed.modes).size !== parsed.modes.length) throw new ConfigError(`contamination experiment: modes: ${parsed.modes.join(',')} names a mode twice`);
  const preset = CONTAMINATION_PRESETS[parsed.quick ? 'quick' : 'full'];
  const given = Object.fromEntries(Object.entries(parsed).filter(([, value]) => value !== undefined));
  const resolved = { ...preset, ...given } as unknown as ContaminationConfig;
  return { ...resolved, shares: [...new Set(resolved.shares)].sort((a, b) => a - b) };
}

/**
 * Parse `0,0.05,0.4` into shares (the CLI's `--shares`).
 * @throws ConfigError for a part that is not a number in [0, 1].
 */
export function parseShares(text: string): number[] {
  return text.split(',').map((part) => {
    const share = Number(part.trim());
    if (part.trim() === '' || !Number.isFinite(share) || share < 0 || share > 1) throw new ConfigError(`--shares: expected numbers in [0, 1] separated by commas (e.g. 0,0.1,0.4), got "${part}"`);
    return share;
  });
}

/**
 * Parse `flip,backdoor` into modes (the CLI's `--modes`).
 * @throws ConfigError for a part that is not a mode.
 */
export function parseModes(text: string): ContaminationMode[] {
  return text.split(',').map((part) => {
    const mode = part.trim();
    if (!(CONTAMINATION_MODES as readonly string[]).includes(mode)) throw new ConfigError(`--modes: expected ${CONTAMINATION_MODES.join(' and/or ')} separated by commas, got "${part}"`);
    return mode as ContaminationMode;
  });
}

/** A world variant's name: its mode and share in percent (`flip-10`, `backdoor-0`, `flip-2.5`). */
export function variantName(mode: ContaminationMode, share: number): string {
  return `${mode}-${Number((100 * share).toFixed(2))}`;
}
