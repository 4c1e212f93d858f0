/**
 * The training stages of one round of `hhrl online run`, each its own resumable run folder: the PM (round 0 from
 * the base LM on the world's static comparisons; round r from round r−1's PM on every comparison so far) and PPO
 * (round 0 from π₀; round r from round r−1's policy, KL still against π₀: r = r_PM − λ_KL·KL(π‖π₀), Bai et al.
 * 2022 §4.1). A finished stage is skipped, a killed one resumes from its newest checkpoint.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { PreferencePair } from '../../data/specs/preference-pairs.ts';
import type { RolloutPrompt } from '../../data/specs/prompts.ts';
import { demoPpoCore } from '../../eval/demo-config.ts';
import type { ExperimentProgress } from '../../eval/experiments/policy-opening.ts';
import { finishedRun } from '../../eval/experiments/policy-stages.ts';
import { evaluatePreferenceModel, type PmEvalReport } from '../../eval/pm-eval.ts';
import { GptModel } from '../../model/gpt-model.ts';
import { trainPpo } from '../../train/ppo/ppo-trainer.ts';
import { trainPreferenceModel, type TrainedPm } from '../../train/preference/pm-trainer.ts';
import type { PreferenceScorer } from '../../train/preference/pm-scorer.ts';
import { preferenceModelReward } from '../../train/rollout/reward.ts';
import { resolveModelDir, RunFolder } from '../../train/run-folder.ts';
import { writeFileAtomic } from '../../util/atomic-write.ts';
import { readJsonFile } from '../../util/json-input.ts';
import type { OnlineRunConfig } from './online-run-config.ts';

/** A stage's progress: its name, step and total, and a few numbers to show. */
export type OnlineRunProgress = ExperimentProgress;

/** What a round's stages share. */
export interface RoundContext {
  readonly round: number;
  readonly dir: string;
  readonly config: OnlineRunConfig;
  readonly signal?: AbortSignal;
  readonly onProgress?: OnlineRunProgress;
}

/** Train (or resume, or reload when finished) the round's PM on `pairs`, starting from `init` (a run folder: its `model/`, else its newest checkpoint). */
export async function trainRoundPm(context: RoundContext, pairs: readonly PreferencePair[], init: string): Promise<TrainedPm> {
  const { config, round } = context;
  const pmDir = join(context.dir, 'pm');
  const settings =
    round === 0
      ? { steps: config.pmSteps, seed: config.seed, model: { size: config.lmSize, context: 128 } }
      : { steps: config.roundPmSteps, seed: (config.seed + round) >>> 0, patience: null, optimizer: { learningRate: config.roundPmLearningRate, warmupSteps: 10 } };
  const trained = await trainPreferenceModel({ ...settings, mix: { helpful: 1, harmless: 1 } }, pairs, {
    runDir: pmDir,
    resume: existsSync(join(pmDir, 'config.json')),
    signal: context.signal,
    init: GptModel.load(resolveModelDir(init)).model,
    onProgress: (p) => context.onProgress?.(`round ${round} pm`, p.step, p.steps, { loss: p.loss.toFixed(3) }),
  });
  return trained; // a stop signal throws TrainingAborted inside the trainer
}

/** A PM's accuracy on one set of pairs: against the labels and against the oracle's gold. */
export interface PmAccuracy {
  readonly n: number;
  readonly accuracy: number | null;
  readonly gold_n: number;
  readonly gold_accuracy: number | null;
  readonly gold_ci95: [number, number] | null;
}

/** The round's PM measured on the world's templated test comparisons and on held-out pairs of the policy's own samples. */
export interface RoundPmEval {
  readonly templated: PmAccuracy;
  readonly on_policy: PmAccuracy;
}

const AccuracySchema = z.strictObject({
  n: z.number(),
  accuracy: z.number().nullable(),
  gold_n: z.number(),
  gold_accuracy: z.number().nullable(),
  gold_ci95: z.tuple([z.number(), z.number()]).nullable(),
});
const PmEvalSchema = z.strictObject({ templated: AccuracySchema, on_policy: AccuracySchema });

const accuracy = (report: PmEvalReport): PmAccuracy => ({ n: report.n, accuracy: report.accuracy, gold_n: report.gold_n, gold_accuracy: report.gold_accuracy, gold_ci95: report.gold_ci95 });

/** Measure the PM once (`pm-eval.json` of the round; later calls read it). */
export async function measureRoundPm(context: RoundContext, scorer: PreferenceScorer, templated: readonly PreferencePair[], onPolicy: readonly PreferencePair[]): Promise<RoundPmEval> {
  const path = join(context.dir, 'pm-eval.json');
  if (existsSync(path)) return readJsonFile(path, PmEvalSchema, 'a round\'s PM evaluation {templated, on_policy}');
  const measured = { templated: accuracy(await evaluatePreferenceModel(scorer, templated)), on_policy: accuracy(await evaluatePreferenceModel(scorer, onPolicy)) };
  writeFileAtomic(path, `${JSON.stringify(measured, null, 2)}\n`);
  return measured;
}

/** Where a round's PPO starts and what it trains on. */
export interface RoundPpoInputs {
  /** π₀'s run folder: the reference of the KL penalty, and the start of round 0. */
  readonly sftDir: string;
  /** The previous round's PPO run folder (rounds ≥ 1). */
  readonly previous: string | null;
  readonly prompts: readonly RolloutPrompt[];
  readonly promptSpec: string;
  readonly ptxDemonstrations: readonly string[] | undefined;
}

/** Train (or resume, or skip when finished) the round's PPO against `pm`; returns its run folder. */
export async function trainRoundPpo(context: RoundContext, pm: PreferenceScorer, inputs: RoundPpoInputs): Promise<string> {
  const { config, round } = context;
  const ppoDir = join(context.dir, 'ppo');
  const steps = round === 0 ? config.ppoSteps : config.roundPpoSteps;
  if (finishedRun(ppoDir, steps)) return ppoDir;
  const result = await trainPpo(
    { ...demoPpoCore({ ...config, ppoSteps: steps, seed: (config.seed + round) >>> 0 }), evalEvery: 0, probePrompts: 0, checkpointEvery: 8 },
    {
      policy: inputs.sftDir,
      ...(inputs.previous === null ? {} : { init: inputs.previous }),
      prompts: inputs.prompts,
      reward: preferenceModelReward(pm),
      ptxDemonstrations: inputs.ptxDemonstrations,
      description: { prompts: inputs.promptSpec, reward: `pm:${join(context.dir, 'pm')}`, round },
    },
    ppoDir,
    {
      resume: existsSync(join(ppoDir, 'config.json')),
      signal: context.signal,
      onProgress: (p) => context.onProgress?.(`round ${round} ppo`, p.step, p.totalSteps, { reward: p.row.reward.toFixed(3), kl: p.row.kl.toFixed(2) }),
    },
  );
  await result.policy.release();
  return ppoDir;
}

/** PPO's last iteration in `ppoDir`: mean PM reward of its samples and KL(π‖π₀) in nats per response. */
export function lastPpoRow(ppoDir: string): { readonly reward: number | null; readonly kl: number | null } {
  const last = new RunFolder(ppoDir).metricRows().filter((row) => row.kind === 'train').at(-1);
  const number = (value: unknown) => (typeof value === 'number' ? value : null);
  return { reward: number(last?.reward), kl: number(last?.kl) };
}
