/**
 * The demo's settings: a zod schema whose descriptions record what each default measured, the two size presets
 * (`full` and `--quick`) and the resolver that fills the sizes a user did not give.
 */
import { z } from 'zod';
import { parseWith } from '../train/common/parse-config.ts';

/** Demo settings: sized so the whole pipeline runs in minutes on two cores. */
export const DemoConfigSchema = z
  .object({
    seed: z.number().int().min(0).max(0xffffffff).default(0).describe('seed of the world and of every stage'),
    worldSize: z
      .enum(['small', 'default', 'large'])
      .default('default')
      .describe('HH world size (default: 12,000 training comparisons; the small world\'s 1,600 leave the PM at 87% gold accuracy and exploitable)'),
    worldTowns: z
      .number()
      .int()
      .min(2)
      .default(16)
      .describe('towns in the world\'s knowledge base (default 16, the world\'s own default 40: with 40 towns, 60 people and 32 foods π₀ answered 50–61% of benign requests on seeds 0–4, with 16/24/12 59–65% on seeds 1, 3, 4; see README "Demo")'),
    worldPeople: z.number().int().min(4).default(24).describe('people in the world\'s knowledge base (default 24; the world\'s own default 60)'),
    worldFoods: z
      .number()
      .int()
      .min(2)
      .default(16)
      .describe('foods in the world\'s knowledge base (default 16, one per town: with fewer foods than towns two towns share a dish and π₀ answered "What should I eat in A?" with "…, which B is known for" — 44% of recommendations on seed 0 with 12 foods, none with 16; the world\'s own default 32)'),
    worldSharedNames: z.number().int().min(2).default(3).describe('pairs of people sharing a name, which ambiguous requests ask about (default 3; the world\'s own default 6: with 6, in a seed-0 run that also had attacks in the corpus, π₀ still asked "There are two people named Pagaor…" about every other shared name, 29 of 29 such requests, as with 3)'),
    worldCorpusAttacks: z
      .number()
      .min(0)
      .max(1)
      .default(0)
      .describe('share of the base corpus\'s harmful dialogues wrapped by an attack strategy (default 0, the world\'s own; measured on seed 0 with 0.3, π₀\'s well-formed replies to role-play, authority, fiction and rule-list attacks rose from 90/87/54/6% to 96/97/71/77% but to base64, rot13 and leetspeak fell from 51/66/61% to 9/7/17%, since it tried to answer text it cannot read and named the wrong target: 80.2% of all replies well formed against 79.9% without, measured before the stop-string fix; that run also had 6 shared names)'),
    quick: z
      .boolean()
      .default(false)
      .describe('a first look at the earlier, smaller sizes (tiny models, a few minutes; see DEMO_PRESETS); flags given explicitly still win'),
    lmSize: z.enum(['tiny', 'small']).optional().describe('GPT size of the policy and the PM (default small; --quick tiny)'),
    vocabSize: z.number().int().min(258).default(1024).describe('BPE vocabulary of the base LM'),
    lmPositions: z
      .enum(['learned', 'alibi'])
      .default('alibi')
      .describe('position scheme of the base LM (and so of π₀, the PM and the policy): ALiBi (default: on the same seed-0 world π₀ answered 68% of benign requests against 59% with learned positions — word games 98% against 75%, conversions 84% against 57% — and wrote 2% off-topic or garbled replies to direct harmful requests against 19%; see README "Demo") or learned embeddings'),
    lmSteps: z.number().int().min(1).optional().describe('base-LM pretraining steps on the world corpus (default 2000; --quick 1500)'),
    lmLearningRate: z
      .number()
      .positive()
      .max(1)
      .optional()
      .describe('base-LM peak learning rate (default 2e-3: on seed 0 it raised π₀\'s correct benign answers from 50% to 56% over 1e-3 at the same validation loss; --quick 1e-3)'),
    sftSteps: z.number().int().min(1).optional().describe('SFT steps on the world demonstrations (default 600; --quick 200)'),
    sftLearningRate: z
      .number()
      .positive()
      .max(1)
      .optional()
      .describe('SFT peak learning rate (default 5e-5: measured on seed 0, SFT at 5e-4 for 400 steps cut the base LM\'s correct benign answers from 51% to 28%; 600 steps at 5e-5 kept 56% and cut off-topic or garbled replies to harmful requests from 40% after 300 steps to 13%, 1,000 steps 52% and 10%; --quick 5e-4)'),
    sftRefusalShare: z
      .number()
      .min(0)
      .max(1)
      .default(1)
      .describe(
        'share of the world\'s harmful-request demonstrations (refusals, or flagging the harm while helping safely) kept in SFT (1: all of them, a share of which sftComplianceShare rewrites to comply; 0: none — measured on seed 0, π₀ then answered 76% of harmful requests off topic with a benign how-to, and even 5% of them made π₀ refuse 98%)',
      ),
    sftComplianceShare: z
      .number()
      .min(0)
      .max(1)
      .default(0.5)
      .describe(
        'share of the kept harmful-request demonstrations rewritten to comply with the request instead of refusing (a helpful-first demonstrator: π₀ then refuses some harmful requests and complies with others)',
      ),
    pmSteps: z.number().int().min(1).default(1000).describe('preference-model steps on both tasks\' comparisons (an upper bound: it stops early when validation loss stops falling)'),
    ppoSteps: z.number().int().min(1).optional().describe('PPO iterations (default 32; --quick 40)'),
    evalEvery: z.number().int().min(1).optional().describe('PPO iterations between evaluations on the held-out sets (default 16; --quick 10)'),
    ppoBatch: z.number().int().min(1).default(64).describe('PPO samples per iteration'),
    ppoLearningRate: z
      .number()
      .positive()
      .max(1)
      .default(3e-5)
      .describe('PPO AdamW learning rate (measured on seed 0: 1e-4 lets the policy exploit the PM within 40 iterations)'),
    klCoef: z
      .number()
      .min(0)
      .default(0.03)
      .describe('λ_KL of PPO (see docs/ppo-experiments.md for why not the paper\'s 0.001 and what other values measured)'),
    ptxCoef: z
      .number()
      .min(0)
      .default(1)
      .describe('γ of PPO-ptx (Ouyang et al. 2022): PPO\'s loss adds γ × the LM loss on the SFT demonstrations, which changed helpfulness by −0.4 to +1.3 points on seeds 0–2 where plain PPO lost 2.8–8.3 (see docs/ppo-experiments.md); 0 = the paper\'s plain PPO'),
    maxNewTokens: z
      .number()
      .int()
      .min(1)
      .default(48)
      .describe('most tokens of a PPO, probe or evaluation response (the world\'s demonstrated responses take up to 64 with the stop string, p90 55, so 48 cuts 28% of them; 64 let none be cut but, measured on seeds 0 and 1, cost 0.5-4 more points of helpfulness after PPO)'),
    evalMaxNewTokens: z
      .number()
      .int()
      .min(1)
      .default(64)
      .describe('most tokens of an evaluation response (the strict oracle judges a reply cut short as garbled; 64 leaves room for every reply the world writes, stop string included, within the 128-token context)'),
    evalPerSet: z
      .number()
      .int()
      .min(1)
      .default(1000)
      .describe('at most this many prompts per world evaluation set (1000: the default world\'s whole sets, 750 non-harmful and 420 direct harmful requests, in the world\'s proportions; 100 per set weighted ambiguous requests 1/3 instead of 1/5, and on seed 2 put SFT 2.7 points higher than the whole sets did)'),
    probePrompts: z
      .number()
      .int()
      .min(0)
      .default(600)
      .describe('held-out RL prompts of the reward probe (fixed prompts and random draws) the reward-vs-√KL fit uses (0 = fit the training batches; 600 = the default world\'s whole test pool: on seed 0, 256 left probe noise of ≈0.02 against a first-half reward rise of 0.16, R² 0.85; 600 gave 0.93 for 75 s more)'),
    probeEvery: z
      .number()
      .int()
      .min(1)
      .default(2)
      .describe('PPO iterations between reward probes (11 probes in the first half of 40 iterations)'),
    onPolicyPairs: z
      .number()
      .int()
      .min(0)
      .default(1000)
      .describe('after PPO, pairs of its and π₀\'s samples on the world\'s held-out RL prompts, labelled by the annotators, to measure how well the PM ranks the policy\'s own outputs by the oracle (0 = off)'),
    threads: z.number().int().min(1).max(256).default(2).describe('ONNX Runtime intra-op threads'),
  })
  .strict();

/** The settings `--quick` changes, and their values for the full demo and for a quick first look. */
type PresetFields = 'lmSize' | 'lmSteps' | 'lmLearningRate' | 'sftSteps' | 'sftLearningRate' | 'ppoSteps' | 'evalEvery';

/**
 * The demo's sizes. `full` (the default) is sized for π₀ to write the world's language and answer what it can learn
 * on two cores in about ten minutes; `quick` keeps the earlier tiny sizes (a few minutes, broken sentences).
 */
export const DEMO_PRESETS = {
  full: { lmSize: 'small', lmSteps: 2000, lmLearningRate: 2e-3, sftSteps: 600, sftLearningRate: 5e-5, ppoSteps: 32, evalEvery: 16 },
  quick: { lmSize: 'tiny', lmSteps: 1500, lmLearningRate: 1e-3, sftSteps: 200, sftLearningRate: 5e-4, ppoSteps: 40, evalEvery: 10 },
} as const satisfies Record<'full' | 'quick', Record<PresetFields, unknown>>;

/** Demo settings (see `DemoConfigSchema`), with the preset's sizes filled in. */
export type DemoConfig = Omit<z.infer<typeof DemoConfigSchema>, PresetFields> & {
  readonly lmSize: 'tiny' | 'small';
  readonly lmSteps: number;
  readonly lmLearningRate: number;
  readonly sftSteps: number;
  readonly sftLearningRate: number;
  readonly ppoSteps: number;
  readonly evalEvery: number;
};

/**
 * Validate demo settings and fill the sizes not given from the preset (`quick` or the full demo).
 * @example resolveDemoConfig({ quick: true }).lmSize // 'tiny'
 */
export function resolveDemoConfig(input: unknown): DemoConfig {
  const parsed = parseWith(DemoConfigSchema, input, 'demo');
  const preset = DEMO_PRESETS[parsed.quick ? 'quick' : 'full'];
  const given = Object.fromEntries(Object.entries(parsed).filter(([, value]) => value !== undefined));
  return { ...preset, ...given } as DemoConfig;
}

/** The world overrides of a demo: its knowledge-base sizes (every family and kind of request stays) and the corpus's attack share. */
export function demoWorldOverrides(config: DemoConfig): { knowledge: { towns: number; people: number; foods: number; sharedNames: number }; corpus: { attackShare: number } } {
  return {
    knowledge: { towns: config.worldTowns, people: config.worldPeople, foods: config.worldFoods, sharedNames: config.worldSharedNames },
    corpus: { attackShare: config.worldCorpusAttacks },
  };
}

/** The demo's PPO recipe fields, which experiments that train "the demo's PPO" share (e.g. the frontier). */
export type DemoPpoRecipe = Pick<DemoConfig, 'ppoSteps' | 'ppoBatch' | 'ppoLearningRate' | 'klCoef' | 'ptxCoef' | 'seed' | 'maxNewTokens' | 'threads'>;

/**
 * PPO's core settings from the demo's recipe: iterations, batch (two mini-batches), learning rate, λ_KL, γ of
 * PPO-ptx, seed, response length and threads. Callers add their evaluation, probe and checkpoint settings.
 * @example demoPpoCore(resolveDemoConfig({})).miniBatchSize // 32
 */
export function demoPpoCore(recipe: DemoPpoRecipe) {
  return {
    steps: recipe.ppoSteps,
    batchSize: recipe.ppoBatch,
    miniBatchSize: Math.max(1, recipe.ppoBatch / 2),
    learningRate: recipe.ppoLearningRate,
    klCoef: recipe.klCoef,
    ptxCoef: recipe.ptxCoef,
    seed: recipe.seed,
    maxNewTokens: recipe.maxNewTokens,
    threads: recipe.threads,
  };
}
