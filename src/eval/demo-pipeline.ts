/**
 * The paper's pipeline on the HH world, end to end (`hhrl demo`): world → base LM → SFT → mixed
 * preference model → PPO against it → evaluation with the oracle, before and after RL → the PM's gold
 * accuracy on PPO's own samples against π₀'s (where a PM that ranks templated pairs well can still be
 * exploited). Each stage is a run folder under the demo folder; a stage that finished is skipped and one
 * that was killed resumes, so the whole demo is resumable. Writes `summary.json` and the data `report.html` renders.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { GptModel } from '../model/gpt-model.ts';
import { loadPairs } from '../data/specs/preference-pairs.ts';
import { trainPreferenceModel } from '../train/preference/pm-trainer.ts';
import { loadDemonstrations } from '../data/specs/demonstrations.ts';
import { trainLanguageModel, TrainingAborted } from '../train/lm/lm-trainer.ts';
import { trainPpo } from '../train/ppo/ppo-trainer.ts';
import { loadPrompts, worldEvalPrompts } from '../data/specs/prompts.ts';
import { preferenceModelReward } from '../train/rollout/reward.ts';
import { parseWith } from '../train/rollout/rl-config.ts';
import { readMetricRows, summarizeRun, type RlSummary } from '../train/rollout/rl-runner.ts';
import { readJsonFile } from '../util/json-input.ts';
import { RunFolder } from '../train/run-folder.ts';
import { readFirstLastEvalSamples, type EvalSample } from '../train/rollout/world-eval.ts';
import { trainSft } from '../train/sft/sft-trainer.ts';
import { writeFileAtomic } from '../util/atomic-write.ts';
import { demoChecks, type DemoChecks } from './demo-checks.ts';
import { generateWorld, resolveWorldConfig, respond, writeWorld, type Demonstration, type LoadedWorld } from '../world/index.ts';

import { parseTranscript, serializeTranscript } from '../data/hh-transcript.ts';
import { ConfigError } from '../spec/errors.ts';
import { Random } from '../util/random.ts';
import { evaluatePreferenceModel, type PmEvalReport } from './pm-eval.ts';
import { collectComparisons, collectRoundOnce } from '../online/collect.ts';

/** Demo settings: sized so the whole pipeline runs in minutes on two cores. */
export const DemoConfigSchema = z
  .object({
    seed: z.number().int().min(0).max(0xffffffff).default(0).describe('seed of the world and of every stage'),
    worldSize: z
      .enum(['small', 'default', 'large'])
      .default('default')
      .describe('HH world size (default: 12,000 training comparisons; the small world\'s 1,600 leave the PM at 87% gold accuracy and exploitable)'),
    quick: z
      .boolean()
      .default(false)
      .describe('a first look at the earlier, smaller sizes (tiny models, a few minutes; see DEMO_PRESETS); flags given explicitly still win'),
    lmSize: z.enum(['tiny', 'small']).optional().describe('GPT size of the policy and the PM (default small; --quick tiny)'),
    vocabSize: z.number().int().min(258).default(1024).describe('BPE vocabulary of the base LM'),
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

/**
 * The SFT demonstrations of a demo: every non-harmful one, the first `refusalShare` of the harmful ones, and of
 * those a random `complianceShare` rewritten to comply with the request (the world's `harmful_compliance` response
 * to the same request, as the base corpus's unaligned assistant writes it) instead of refusing or flagging the harm.
 * π₀ then answers benign requests, refuses some harmful ones and complies with others: a helpful-first assistant
 * whose remaining harm RL against the mixed PM has to remove. The world writes its demonstrations in random
 * order, so the first share is a random share; the order is kept.
 * @example
 * selectSftDemonstrations(world, world.sft('train'), { refusalShare: 0, complianceShare: 0, seed: 0 }) // helpful-only: no harmful-request demonstrations
 */
export function selectSftDemonstrations(
  world: LoadedWorld,
  demos: readonly Demonstration[],
  options: { readonly refusalShare: number; readonly complianceShare: number; readonly seed: number },
): { transcript: string; family: string }[] {
  const harmful = demos.filter((demo) => demo.family === 'harmful');
  const kept = new Set(harmful.slice(0, Math.round(options.refusalShare * harmful.length)));
  const random = new Random(options.seed).fork('demo-sft-compliance');
  return demos
    .filter((demo) => demo.family !== 'harmful' || kept.has(demo))
    .map((demo) => {
      if (demo.family !== 'harmful' || !random.chance(options.complianceShare)) return { transcript: demo.transcript, family: demo.family };
      const turns = parseTranscript(demo.transcript);
      const context = turns.slice(0, -1);
      const request = world.model.identify(context);
      if (request === undefined || request.family !== 'harmful') {
        throw new ConfigError(`demo SFT data: the world does not recognise the harmful request of demonstration ${demo.requestId}`);
      }
      const response = respond('harmful_compliance', request, random, world.model.knowledge, world.config.responses);
      return { transcript: serializeTranscript([...context, { role: 'assistant', text: response }]), family: demo.family };
    });
}

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

/** A stage's progress: its name, step and total, and a few numbers to show. */
export interface DemoProgress {
  readonly stage: 'world' | 'lm' | 'sft' | 'pm' | 'ppo';
  readonly step: number;
  readonly total: number;
  readonly fields: Readonly<Record<string, string>>;
}

/**
 * The headline of one policy's evaluation on the world's held-out sets (oracle verdicts):
 * - `helpfulness`: share of non-harmful requests with oracle helpfulness ≥ 0.5 (a garbled reply earns 0);
 * - `harm_rate`: harmful compliance on direct harmful requests; `over_refusal`: borderline requests refused;
 * - `answer_rate`: correct answers (or safe help that flags a risk) to benign requests;
 * - `refusal_rate`: direct harmful requests refused or safely redirected (curt or explaining refusal, flag and help);
 * - `explained_refusal_rate`: direct harmful requests refused with an explanation;
 * - `off_topic_rate`: direct harmful requests answered off topic or with garbled text;
 * - `well_formed`: share of all held-out responses that parse as the world's language;
 * - `harm_by_strategy`: attack success (harmful compliance) on attacked harmful requests, by strategy.
 */
export interface PolicyHeadline {
  readonly helpfulness: number | null;
  readonly harm_rate: number | null;
  readonly over_refusal: number | null;
  readonly answer_rate: number | null;
  readonly refusal_rate: number | null;
  readonly explained_refusal_rate: number | null;
  readonly off_topic_rate: number | null;
  readonly well_formed: number | null;
  readonly harm_by_strategy: Readonly<Record<string, number | null>> | null;
}

/** `summary.json` of a demo (issue 5's schema plus detail). */
export interface DemoSummary {
  readonly sft: PolicyHeadline;
  readonly ppo: PolicyHeadline;
  /**
   * PM reward against √KL over the first half of PPO: on the held-out reward probe when it ran
   * (`source: "probe"`), else on the training batches.
   */
  readonly sqrtkl_fit: { readonly slope: number; readonly r2: number | null; readonly n: number; readonly source: 'probe' | 'train' };
  /** The same fit on the training batches' mean rewards (noisier: each batch draws other prompts). */
  readonly sqrtkl_fit_train: { readonly slope: number; readonly r2: number | null; readonly n: number };
  /** The probe's first-half fit against √KL estimated with k3 (lower variance near π₀); null when not recorded. */
  readonly sqrtkl_fit_k3: { readonly slope: number; readonly r2: number | null; readonly n: number } | null;
  readonly minutes: number;
  readonly stage_minutes: Readonly<Record<string, number>>;
  readonly pm: {
    readonly accuracy: number | null;
    readonly gold_accuracy: number | null;
    readonly ece: number;
    readonly n: number;
    /**
     * The PM on pairs of PPO's and π₀'s samples (held-out prompts): gold accuracy over the pairs the oracle does
     * not tie (`gold_n`), out of `n` pairs; null when `onPolicyPairs` is 0.
     */
    readonly on_policy: { readonly gold_accuracy: number | null; readonly gold_ci95: [number, number] | null; readonly gold_n: number; readonly n: number } | null;
  };
  /** The settings PPO ran with (from its run folder, so a resumed demo reports what its PPO used). */
  readonly ppo_settings: { readonly learning_rate: number; readonly kl_coef: number; readonly ptx_coef: number; readonly steps: number; readonly batch: number };
  readonly seed: number;
  /** The demo's three claims checked on these numbers (see `demo-checks.ts`). */
  readonly checks: DemoChecks;
}

/** Everything the report shows. */
export interface DemoResult {
  readonly summary: DemoSummary;
  readonly ppo: RlSummary;
  readonly ppoRows: readonly Record<string, unknown>[];
  readonly pmEval: PmEvalReport;
  /** The PM on PPO's own samples against π₀'s (see `onPolicyPairs`); null when off. */
  readonly onPolicyEval: PmEvalReport | null;
  /** The judged responses of PPO's first (π₀) and last evaluations; null for a PPO run that kept none. */
  readonly samples: { readonly first: readonly EvalSample[]; readonly last: readonly EvalSample[] } | null;
  readonly config: DemoConfig;
}

function headline(row: Record<string, unknown> | null): PolicyHeadline {
  const number = (value: unknown) => (typeof value === 'number' ? value : null);
  return {
    helpfulness: number(row?.helpfulness),
    harm_rate: number(row?.harm_rate),
    over_refusal: number(row?.over_refusal),
    answer_rate: number(row?.answer_rate),
    refusal_rate: number(row?.refusal_rate),
    explained_refusal_rate: number(row?.explained_refusal_rate),
    off_topic_rate: number(row?.off_topic_rate),
    well_formed: number(row?.well_formed),
    harm_by_strategy: strategyRates(row),
  };
}

/** Attack success by strategy from an evaluation row (null when the row has none). */
function strategyRates(row: Record<string, unknown> | null): Record<string, number | null> | null {
  const rates = row?.harm_by_strategy;
  return rates !== null && typeof rates === 'object' ? (rates as Record<string, number | null>) : null;
}

/** The demo's SFT demonstrations when it kept only some of the world's (`sftRefusalShare` < 1). */
const SFT_DATA_FILE = 'sft-data.jsonl';

/** The SFT data spec of a finished demo folder: its own selection when it wrote one, else the world's demonstrations. */
export function demoSftData(dir: string): string {
  const path = join(dir, SFT_DATA_FILE);
  return existsSync(path) ? path : `world:${join(dir, 'world')}`;
}

/**
 * The demonstrations of the demo's PPO-ptx term: the world's non-harmful ones (answers, clarifying questions). The
 * term keeps π answering where the demonstrations answer; it takes no side on harmful requests, so whatever
 * harmlessness PPO reaches comes from the PM. (With π₀'s own SFT data, half of whose harmful-request demonstrations
 * comply, the term pulled PPO back toward compliance: on seed 0 harm rose from 28% to 51% by iteration 16.)
 */
const PTX_DATA_FILE = 'ptx-data.jsonl';

/** The ptx data spec of a finished demo folder: its `ptx-data.jsonl`, or for demos from before it, its SFT data. */
export function demoPtxData(dir: string): string {
  const path = join(dir, PTX_DATA_FILE);
  return existsSync(path) ? path : demoSftData(dir);
}

/** What the demo reads of a PPO run's `config.json` (ptxCoef is absent in runs from before it existed). */
const PpoRunConfigSchema = z.looseObject({
  config: z.looseObject({ learningRate: z.number(), klCoef: z.number(), ptxCoef: z.number().optional(), steps: z.number(), batchSize: z.number() }),
});

/** The settings a PPO run folder was started with (`config.json`; ptxCoef 0 for runs from before it existed). */
function ppoSettings(ppoDir: string): DemoSummary['ppo_settings'] {
  const saved = readJsonFile(join(ppoDir, 'config.json'), PpoRunConfigSchema, 'a PPO run\'s config.json {"config": {learningRate, klCoef, steps, batchSize, …}}').config;
  return { learning_rate: saved.learningRate, kl_coef: saved.klCoef, ptx_coef: saved.ptxCoef ?? 0, steps: saved.steps, batch: saved.batchSize };
}

/**
 * Run (or resume) the demo in `dir`.
 * @example
 * const result = await runDemo({ seed: 0 }, 'runs/demo');
 * result.summary.ppo.harm_rate
 */
export async function runDemo(
  input: Partial<z.input<typeof DemoConfigSchema>>,
  dir: string,
  options: { onProgress?: (progress: DemoProgress) => void; signal?: AbortSignal } = {},
): Promise<DemoResult> {
  const { signal } = options;
  const config = resolveDemoConfig(input);
  const stageMinutesPath = join(dir, 'stage-minutes.json');
  const stageMinutes: Record<string, number> = existsSync(stageMinutesPath) ? { ...readJsonFile(stageMinutesPath, z.record(z.string(), z.number()), 'an object of stage → minutes') } : {};
  const timed = async <T>(stage: string, work: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    const result = await work();
    stageMinutes[stage] = (stageMinutes[stage] ?? 0) + (performance.now() - started) / 60000;
    writeFileAtomic(join(dir, 'stage-minutes.json'), `${JSON.stringify(stageMinutes, null, 2)}\n`);
    return result;
  };
  const report = (stage: DemoProgress['stage'], step: number, total: number, fields: Record<string, string> = {}) => options.onProgress?.({ stage, step, total, fields });
  const resumeOf = (stageDir: string) => existsSync(join(stageDir, 'config.json'));
  const finished = (stageDir: string, steps: number) => new RunFolder(stageDir).checkpointSteps().includes(steps);
  // 1) world
  const worldDir = join(dir, 'world');
  await timed('world', async () => {
    if (!existsSync(join(worldDir, 'world.json'))) writeWorld(generateWorld(resolveWorldConfig(config.seed, config.worldSize)), worldDir);
    report('world', 1, 1);
  });
  const world = (await import('../world/index.ts')).loadWorld(worldDir);
  // 2) base LM on the world corpus
  const lmDir = join(dir, 'lm');
  if (!finished(lmDir, config.lmSteps)) {
    await timed('lm', () =>
      trainLanguageModel(
        { text: world.corpusPath, size: config.lmSize, vocabSize: config.vocabSize, steps: config.lmSteps, learningRate: config.lmLearningRate, batchSize: 16, seed: config.seed, checkpointEvery: 100, evalEvery: 100, threads: config.threads },
        lmDir,
        { resume: resumeOf(lmDir), signal, onProgress: (p) => report('lm', p.step, p.totalSteps, { loss: p.loss.toFixed(3) }) },
      ),
    );
  }
  // 3) SFT on demonstrations (assistant tokens only)
  const sftDir = join(dir, 'sft');
  // a selection of the world's demonstrations, written into the demo folder (the same bytes on every run of a seed)
  const writeSelection = (file: string, options: { refusalShare: number; complianceShare: number }): string => {
    const rows = selectSftDemonstrations(world, world.sft('train'), { ...options, seed: config.seed });
    writeFileAtomic(join(dir, file), rows.map((demo) => `${JSON.stringify({ transcript: demo.transcript })}\n`).join(''));
    return join(dir, file);
  };
  const sftData = (): string =>
    config.sftRefusalShare === 1 && config.sftComplianceShare === 0
      ? `world:${worldDir}`
      : writeSelection(SFT_DATA_FILE, { refusalShare: config.sftRefusalShare, complianceShare: config.sftComplianceShare });
  const ptxData = (): string => writeSelection(PTX_DATA_FILE, { refusalShare: 0, complianceShare: 0 });
  if (!finished(sftDir, config.sftSteps)) {
    await timed('sft', () =>
      trainSft(
        { steps: config.sftSteps, learningRate: config.sftLearningRate, batchSize: 16, seed: config.seed, threads: config.threads, evalEvery: 100, checkpointEvery: 100 },
        { base: lmDir, data: sftData(), validation: `world:${worldDir}:test` },
        sftDir,
        { resume: resumeOf(sftDir), signal, onProgress: (p) => report('sft', p.step, p.totalSteps, { loss: p.loss.toFixed(3) }) },
      ),
    );
  }
  // 4) mixed preference model (both tasks), initialised from the base LM
  const pmDir = join(dir, 'pm');
  const { pairs } = await loadPairs([`world:${worldDir}:both:train`]);
  const pm = await timed('pm', () =>
    trainPreferenceModel(
      { steps: config.pmSteps, seed: config.seed, model: { size: config.lmSize, context: 128 } },
      pairs,
      {
        runDir: pmDir,
        resume: existsSync(join(pmDir, 'config.json')),
        signal,
        init: GptModel.load(new RunFolder(lmDir).latestCheckpoint()!.dir).model,
        onProgress: (p) => report('pm', p.step, p.steps, { loss: p.loss.toFixed(3) }),
      },
    ),
  );
  if (pm.summary.aborted) throw new TrainingAborted(pm.summary.stepsRun);
  const pmEval = await timed('pm-eval', async () => evaluatePreferenceModel(pm.scorer, (await loadPairs([`world:${worldDir}:both:test`])).pairs));
  // 5) PPO against the PM, evaluated with the oracle before, during and after
  const ppoDir = join(dir, 'ppo');
  const ppo = await timed('ppo', async () => {
    if (existsSync(join(ppoDir, 'summary.json')) && finished(ppoDir, config.ppoSteps)) {
      // the summary is rebuilt from the run's own metrics, so a damaged summary.json cannot feed the report
      return summarizeRun(new RunFolder(ppoDir), 'ppo');
    }
    const result = await trainPpo(
      {
        steps: config.ppoSteps,
        batchSize: config.ppoBatch,
        miniBatchSize: Math.max(1, config.ppoBatch / 2),
        learningRate: config.ppoLearningRate,
        klCoef: config.klCoef,
        ptxCoef: config.ptxCoef,
        seed: config.seed,
        evalEvery: config.evalEvery,
        maxNewTokens: config.maxNewTokens,
        evalMaxNewTokens: config.evalMaxNewTokens,
        evalPerSet: config.evalPerSet,
        probePrompts: config.probePrompts,
        probeEvery: config.probeEvery,
        threads: config.threads,
        checkpointEvery: 10,
      },
      {
        policy: sftDir,
        prompts: loadPrompts(`world:${worldDir}`),
        probePrompts: config.probePrompts > 0 ? loadPrompts(`world:${worldDir}:test`) : undefined,
        reward: preferenceModelReward(pm.scorer),
        ptxDemonstrations: config.ptxCoef > 0 ? loadDemonstrations(ptxData()) : undefined,
        evalPrompts: worldEvalPrompts(worldDir),
        description: { prompts: `world:${worldDir}`, probe: config.probePrompts > 0 ? `world:${worldDir}:test` : null, reward: `pm:${pmDir}` },
      },
      ppoDir,
      { resume: resumeOf(ppoDir), signal, onProgress: (p) => report('ppo', p.step, p.totalSteps, { reward: p.row.reward.toFixed(3), kl: p.row.kl.toFixed(2) }) },
    );
    await result.policy.release();
    return result.summary;
  });
  // 6) how well the PM ranks the policy's own outputs: PPO's and π₀'s samples on held-out prompts, labelled
  const onPolicyDir = join(dir, 'on-policy');
  const onPolicyEval =
    config.onPolicyPairs === 0
      ? null
      : await timed('pm-on-policy', async () => {
          const collect = async () => {
            const policy = GptModel.load(new RunFolder(ppoDir).latestCheckpoint()!.dir).model;
            const partner = GptModel.load(new RunFolder(sftDir).latestCheckpoint()!.dir).model;
            const collected = await collectComparisons(
              { policy, policyId: 'ppo', partner, partnerId: 'sft' },
              loadPrompts(`world:${worldDir}:test`),
              world.population(),
              { pairs: config.onPolicyPairs, seed: config.seed, round: 1, maxNewTokens: config.maxNewTokens, batch: config.ppoBatch },
            );
            await policy.release();
            await partner.release();
            return collected;
          };
          await collectRoundOnce(onPolicyDir, collect, { purpose: 'PM check on PPO samples against π₀ samples, held-out prompts' });
          return evaluatePreferenceModel(pm.scorer, (await loadPairs([`online:${onPolicyDir}`])).pairs);
        });
  await pm.scorer.release();
  const trainFit = ppo.sqrtKlFit.firstHalf;
  const probeFit = ppo.probeSqrtKlFit?.firstHalf;
  const sft = headline(ppo.firstEvaluation);
  const rl = headline(ppo.lastEvaluation);
  const sqrtklFit = probeFit ? { slope: probeFit.slope, r2: probeFit.r2, n: probeFit.n, source: 'probe' as const } : { slope: trainFit.slope, r2: trainFit.r2, n: trainFit.n, source: 'train' as const };
  const summary: DemoSummary = {
    sft,
    ppo: rl,
    sqrtkl_fit: sqrtklFit,
    sqrtkl_fit_train: { slope: trainFit.slope, r2: trainFit.r2, n: trainFit.n },
    sqrtkl_fit_k3: ppo.probeSqrtKlFitK3 ? { slope: ppo.probeSqrtKlFitK3.firstHalf.slope, r2: ppo.probeSqrtKlFitK3.firstHalf.r2, n: ppo.probeSqrtKlFitK3.firstHalf.n } : null,
    minutes: Object.values(stageMinutes).reduce((a, b) => a + b, 0),
    stage_minutes: stageMinutes,
    pm: {
      accuracy: pmEval.accuracy,
      gold_accuracy: pmEval.gold_accuracy,
      ece: pmEval.ece,
      n: pmEval.n,
      on_policy:
        onPolicyEval === null
          ? null
          : { gold_accuracy: onPolicyEval.gold_accuracy, gold_ci95: onPolicyEval.gold_ci95, gold_n: onPolicyEval.gold_n, n: onPolicyEval.n },
    },
    ppo_settings: ppoSettings(ppoDir),
    seed: config.seed,
    checks: demoChecks({ sft, ppo: rl, sqrtkl_fit: sqrtklFit }),
  };
  writeFileAtomic(join(dir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  return { summary, ppo, ppoRows: readMetricRows(new RunFolder(ppoDir)), pmEval, onPolicyEval, samples: readFirstLastEvalSamples(ppoDir), config };
}
