/**
 * Online data against the same amount of static data (Bai et al. 2022 §4.5; WORLD.md: "iterated online rounds
 * beat the same amount of static data"), measured on a finished demo folder (world, SFT π₀, the mixed PM and PPO
 * against it):
 *
 * 1. one online round: pairs of the PPO policy's and π₀'s samples on the world's RL train prompts, labelled
 *    by the world's annotators;
 * 2. the same number of extra static comparisons, built like the world's own (templated behaviours);
 * 3. the demo's PM fine-tuned with identical settings on: the static data alone (a control for the extra
 *    steps), static + extra static, static + online; one held-out validation set for all three;
 * 4. every PM (and the demo's, untouched) scored by the oracle's gold on the world's templated test
 *    comparisons and on held-out on-policy pairs (PPO's and π₀'s samples on the world's test prompts);
 * 5. optionally, PPO from π₀ against each fine-tuned PM with the demo's settings, judged by the oracle.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { serializeTranscript } from '../../data/hh-transcript.ts';
import { GptModel } from '../../model/gpt-model.ts';
import { collectComparisons, collectRoundOnce, type CollectStats } from '../../online/collect.ts';
import { worldLabeler } from '../../online/pair-labeler.ts';
import { ConfigError } from '../../spec/errors.ts';
import { loadPairs, pairFromMeta, type PreferencePair } from '../../data/specs/preference-pairs.ts';
import { trainPreferenceModel, type PmSummary } from '../../train/preference/pm-trainer.ts';
import { trainPpo } from '../../train/ppo/ppo-trainer.ts';
import { loadPrompts, worldEvalPrompts } from '../../data/specs/prompts.ts';
import { preferenceModelReward } from '../../train/rollout/reward.ts';
import { parseWith } from '../../train/common/parse-config.ts';
import { RunFolder } from '../../train/run-folder.ts';
import { Random } from '../../util/random.ts';
import { loadWorld, moreComparisons, type AnnotatorPopulation } from '../../world/index.ts';
import { PreferenceScorer } from '../../train/preference/pm-scorer.ts';
import { evaluatePreferenceModel, type PmEvalReport } from '../pm-eval.ts';
import { demoPtxData } from '../demo-data.ts';
import { loadDemonstrations } from '../../data/specs/demonstrations.ts';

/** Settings of the experiment. */
export const OnlineExperimentSchema = z
  .strictObject({
    pairs: z.number().int().min(1).default(3000).describe('online comparisons collected (and as many extra static ones)'),
    heldOutPairs: z.number().int().min(1).default(1000).describe('held-out on-policy pairs (PPO and π₀ samples on the world\'s test prompts)'),
    pmSteps: z.number().int().min(1).default(400).describe('fine-tuning steps of each PM (the best validation step is kept)'),
    learningRate: z.number().positive().max(1).default(3e-4).describe('peak learning rate of the fine-tuning'),
    validationPairs: z.number().int().min(1).default(1000).describe('static training pairs held out from every arm for validation'),
    ppoSteps: z.number().int().min(0).default(0).describe('PPO iterations from π₀ against each fine-tuned PM, with the demo\'s settings (0 = PMs only)'),
    seed: z.number().int().min(0).max(0xffffffff).default(0).describe('seed of collection, extra data, fine-tuning and PPO'),
  })
  .describe('online vs static data');

/** Settings of the experiment (see `OnlineExperimentSchema`). */
export type OnlineExperimentConfig = z.infer<typeof OnlineExperimentSchema>;

/** The fine-tuned arms, in order. */
export const ONLINE_ARMS = ['static', 'static_plus_static', 'static_plus_online'] as const;

/** One PM's measurements. */
export interface OnlineArm {
  /** Training pairs (validation excluded); null for the untouched demo PM. */
  readonly train_pairs: number | null;
  /** Gold accuracy on the world's templated test comparisons. */
  readonly template_gold: number | null;
  /** Gold accuracy on held-out on-policy pairs the oracle does not tie, with its Wilson interval. */
  readonly on_policy_gold: number | null;
  readonly on_policy_gold_ci95: [number, number] | null;
  readonly on_policy_by_family: Readonly<Record<string, number | null>>;
  readonly summary: Pick<PmSummary, 'stepsRun' | 'keptStep' | 'validation' | 'seconds'> | null;
  /** Oracle evaluation of PPO against this PM (first and last), when `ppoSteps` > 0. */
  readonly ppo: { readonly before: Record<string, unknown> | null; readonly after: Record<string, unknown> | null } | null;
}

/** The experiment's JSON. */
export interface OnlineExperimentResult {
  readonly demo: string;
  readonly config: OnlineExperimentConfig;
  readonly online: CollectStats;
  readonly held_out: CollectStats;
  readonly arms: Readonly<Record<'initial' | (typeof ONLINE_ARMS)[number], OnlineArm>>;
}

/** Progress: which step of the experiment, and a line to show. */
export type OnlineProgress = (stage: string, detail: string) => void;

function measure(template: PmEvalReport, onPolicy: PmEvalReport): Pick<OnlineArm, 'template_gold' | 'on_policy_gold' | 'on_policy_gold_ci95' | 'on_policy_by_family'> {
  return {
    template_gold: template.gold_accuracy,
    on_policy_gold: onPolicy.gold_accuracy,
    on_policy_gold_ci95: onPolicy.gold_ci95,
    on_policy_by_family: Object.fromEntries(Object.entries(onPolicy.by_family).map(([family, slice]) => [family, slice.gold_accuracy])),
  };
}

/** The finished demo's world and its SFT and PPO checkpoints. @throws ConfigError when a stage is missing. */
function demoStages(demoDir: string) {
  const worldDir = join(demoDir, 'world');
  const ppoRun = new RunFolder(join(demoDir, 'ppo'));
  const ppoCheckpoint = ppoRun.latestCheckpoint();
  const sftCheckpoint = new RunFolder(join(demoDir, 'sft')).latestCheckpoint();
  if (!existsSync(join(worldDir, 'world.json')) || ppoCheckpoint === undefined || sftCheckpoint === undefined || !existsSync(join(demoDir, 'pm', 'model'))) {
    throw new ConfigError(`${demoDir}: expected a finished demo folder (world/, sft/, pm/model/, ppo/ with a checkpoint); run hhrl demo --out ${demoDir}`);
  }
  return { worldDir, ppoRun, ppoCheckpoint, sftCheckpoint };
}

/** 1) The online round (PPO vs π₀ samples on the training pool) and the held-out on-policy pairs (test pool), each collected once. */
async function collectRounds(stages: ReturnType<typeof demoStages>, population: AnnotatorPopulation, config: OnlineExperimentConfig, outDir: string) {
  const policy = GptModel.load(stages.ppoCheckpoint.dir).model;
  const partner = GptModel.load(stages.sftCheckpoint.dir).model;
  const models = { policy, policyId: 'ppo', partner, partnerId: 'sft' };
  const online = await collectRoundOnce(join(outDir, 'online-round'), () =>
    collectComparisons(models, loadPrompts(`world:${stages.worldDir}`), worldLabeler(population), { pairs: config.pairs, seed: config.seed, round: 1 }),
  );
  const heldOut = await collectRoundOnce(join(outDir, 'held-out'), () =>
    collectComparisons(models, loadPrompts(`world:${stages.worldDir}:test`), worldLabeler(population), { pairs: config.heldOutPairs, seed: config.seed + 1, round: 1 }),
  );
  await policy.release();
  await partner.release();
  const onlinePairs = (await loadPairs([`online:${join(outDir, 'online-round')}`])).pairs;
  const heldOutPairs = (await loadPairs([`online:${join(outDir, 'held-out')}`])).pairs;
  return { online, heldOut, onlinePairs, heldOutPairs };
}

/** 3) The demo's static training pairs less one validation set shared by every arm (seeded). */
async function staticSplit(worldDir: string, config: OnlineExperimentConfig) {
  const staticPairs = (await loadPairs([`world:${worldDir}:both:train`])).pairs;
  const order = new Random(`${config.seed}:online-validation`).shuffle(staticPairs.map((_, index) => index));
  const held = new Set(order.slice(0, config.validationPairs));
  return { validation: staticPairs.filter((_, index) => held.has(index)), staticTrain: staticPairs.filter((_, index) => !held.has(index)) };
}

/** What every arm shares: the demo, the output folder, the shared validation set and the two test sets. */
interface ArmContext {
  readonly demoDir: string;
  readonly worldDir: string;
  readonly outDir: string;
  readonly config: OnlineExperimentConfig;
  /** The demo's PPO settings (`config` of its config.json). */
  readonly ppoConfig: Record<string, unknown>;
  readonly validation: readonly PreferencePair[];
  readonly templateTest: readonly PreferencePair[];
  readonly heldOutPairs: readonly PreferencePair[];
  readonly onProgress: OnlineProgress;
}

/** PPO from the demo's π₀ against `scorer` for `ppoSteps` iterations (resumable): its first and last oracle evaluation. */
async function ppoAgainst(arm: string, scorer: PreferenceScorer, context: ArmContext): Promise<OnlineArm['ppo']> {
  const { config, ppoConfig, demoDir, worldDir, outDir } = context;
  context.onProgress('ppo', `${arm}: ${config.ppoSteps} iterations against its PM`);
  const ppoDir = join(outDir, `ppo-${arm}`);
  const result = await trainPpo(
    { ...ppoConfig, steps: config.ppoSteps, seed: config.seed, evalEvery: 0, probePrompts: 0 },
    {
      policy: join(demoDir, 'sft'),
      prompts: loadPrompts(`world:${worldDir}`),
      reward: preferenceModelReward(scorer),
      // a demo whose PPO ran with the ptx term: the same demonstrations its SFT stage trained on
      ptxDemonstrations: Number(ppoConfig.ptxCoef ?? 0) > 0 ? loadDemonstrations(demoPtxData(demoDir)) : undefined,
      evalPrompts: worldEvalPrompts(worldDir),
      description: { prompts: `world:${worldDir}`, reward: `pm:${join(outDir, `pm-${arm}`)}` },
    },
    ppoDir,
    { resume: existsSync(join(ppoDir, 'config.json')) },
  );
  await result.policy.release();
  return { before: result.summary.firstEvaluation, after: result.summary.lastEvaluation };
}

/** 4) One arm: the demo's PM fine-tuned on `pairs` (resumable), measured on both test sets, then PPO against it when asked. */
async function runArm(arm: (typeof ONLINE_ARMS)[number], pairs: readonly PreferencePair[], context: ArmContext): Promise<OnlineArm> {
  const { config, demoDir, outDir } = context;
  context.onProgress('pm', `${arm}: ${pairs.length} pairs`);
  const pmDir = join(outDir, `pm-${arm}`);
  const trained = await trainPreferenceModel(
    { steps: config.pmSteps, seed: config.seed, patience: null, evalEvery: 50, optimizer: { learningRate: config.learningRate, warmupSteps: 10 } },
    pairs,
    { runDir: pmDir, resume: existsSync(join(pmDir, 'config.json')), init: GptModel.load(join(demoDir, 'pm', 'model')).model, validation: context.validation },
  );
  const measured = measure(await evaluatePreferenceModel(trained.scorer, context.templateTest), await evaluatePreferenceModel(trained.scorer, context.heldOutPairs));
  const ppo = config.ppoSteps > 0 ? await ppoAgainst(arm, trained.scorer, context) : null;
  await trained.scorer.release();
  const { stepsRun, keptStep, validation: kept, seconds } = trained.summary;
  return { train_pairs: pairs.length, ...measured, summary: { stepsRun, keptStep, validation: kept, seconds }, ppo };
}

/**
 * Run the experiment on the finished demo in `demoDir`, writing its folders under `outDir`.
 * @throws ConfigError when the demo folder lacks a stage.
 */
export async function runOnlineExperiment(demoDir: string, input: Partial<OnlineExperimentConfig>, outDir: string, onProgress: OnlineProgress = () => {}): Promise<OnlineExperimentResult> {
  const config = parseWith(OnlineExperimentSchema, input, 'online experiment');
  const stages = demoStages(demoDir);
  const { worldDir } = stages;
  const world = loadWorld(worldDir);
  const population = world.population();
  // 1) the online round and the held-out on-policy pairs
  onProgress('collect', `online round: ${config.pairs} pairs of PPO and π₀ samples`);
  const { online, heldOut, onlinePairs, heldOutPairs } = await collectRounds(stages, population, config, outDir);
  // 2) as much extra static data, task by task
  const extra: PreferencePair[] = moreComparisons(world.model, population, online.byTask, new Random(`${config.seed}:more-static`)).map((comparison) =>
    pairFromMeta(comparison.meta, serializeTranscript(comparison.chosen), serializeTranscript(comparison.rejected), 'static-extra'),
  );
  // 3) fine-tune the demo's PM three ways, one validation set for all; the demo's PM itself first
  const { validation, staticTrain } = await staticSplit(worldDir, config);
  const templateTest = (await loadPairs([`world:${worldDir}:both:test`])).pairs;
  const pm0 = PreferenceScorer.load(join(demoDir, 'pm', 'model'));
  const arms: Record<string, OnlineArm> = {
    initial: { train_pairs: null, ...measure(await evaluatePreferenceModel(pm0, templateTest), await evaluatePreferenceModel(pm0, heldOutPairs)), summary: null, ppo: null },
  };
  await pm0.release();
  const data: Record<(typeof ONLINE_ARMS)[number], PreferencePair[]> = {
    static: staticTrain,
    static_plus_static: [...staticTrain, ...extra],
    static_plus_online: [...staticTrain, ...onlinePairs],
  };
  const ppoConfig = (JSON.parse(readFileSync(join(stages.ppoRun.dir, 'config.json'), 'utf8')) as { config: Record<string, unknown> }).config;
  const context: ArmContext = { demoDir, worldDir, outDir, config, ppoConfig, validation, templateTest, heldOutPairs, onProgress };
  // 4) each arm in turn
  for (const arm of ONLINE_ARMS) arms[arm] = await runArm(arm, data[arm], context);
  return { demo: demoDir, config, online, held_out: heldOut, arms: arms as OnlineExperimentResult['arms'] };
}
