/**
 * What the RL arms of an experiment share (the frontier's mixes, the contamination experiment's variants): a PM
 * initialised from π₀'s base LM, PPO from π₀ against it with the demo's settings and no evaluation inside, and the
 * numbers of PPO's last iteration, and the PM's gold accuracy. Each is a run folder (or file) that a rerun resumes or skips.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { z } from 'zod';
import { dirname, join } from 'node:path';
import { GptModel } from '../../model/gpt-model.ts';
import { loadPairs, type PreferencePair } from '../../data/specs/preference-pairs.ts';
import type { RolloutPrompt } from '../../data/specs/prompts.ts';
import { loadDemonstrations } from '../../data/specs/demonstrations.ts';
import { trainPpo } from '../../train/ppo/ppo-trainer.ts';
import { trainPreferenceModel, type TrainedPm } from '../../train/preference/pm-trainer.ts';
import type { PreferenceScorer } from '../../train/preference/pm-scorer.ts';
import { preferenceModelReward } from '../../train/rollout/reward.ts';
import { RunFolder } from '../../train/run-folder.ts';
import { replaceFolderAtomic, stagingPath, writeFileAtomic } from '../../util/atomic-write.ts';
import { readJsonFile } from '../../util/json-input.ts';
import { evaluatePreferenceModel } from '../pm-eval.ts';
import { demoPpoCore, type DemoPpoRecipe } from '../demo-config.ts';
import { ConfigError } from '../../spec/errors.ts';
import { statedDifferences } from '../../train/common/resume-rule.ts';
import { finishedRun, type PolicyStages } from './policy-stages.ts';
import type { StageTimer } from './stage-minutes.ts';

/** Progress: a stage, its step and total, and a few numbers to show. */
export type ArmProgress = (stage: string, step: number, total: number, fields: Readonly<Record<string, string>>) => void;

/** What an arm's stages need besides its own data. */
export interface ArmStageContext {
  readonly stages: PolicyStages;
  readonly timed: StageTimer;
  readonly signal?: AbortSignal;
  readonly onProgress?: ArmProgress;
}

/** The PM's settings an arm states. */
export interface ArmPmSettings {
  readonly pmSteps: number;
  readonly seed: number;
  readonly lmSize: 'tiny' | 'small';
  /** Train all `pmSteps` and keep the last weights (no early stopping); default false, the demo's early stopping. */
  readonly pmFixedSteps?: boolean;
}

/** What a fixed-steps PM states: no early stopping, the last step's weights kept (a resumed or copied run that stopped early is refused by name). */
const FIXED_STEPS = { patience: null, keep: 'last' } as const;

/**
 * Train (or resume, or read when finished) an arm's PM in `pmDir` on `pairs`, initialised from the base LM as the
 * demo's is; `mix` sets the helpful:harmless shares of its batches (null: as the pairs come).
 */
export function armPreferenceModel(
  name: string,
  pmDir: string,
  pairs: readonly PreferencePair[],
  settings: ArmPmSettings & { readonly mix?: { readonly helpful: number; readonly harmless: number } | null },
  context: ArmStageContext,
): Promise<TrainedPm> {
  return context.timed(`${name}/pm`, () =>
    trainPreferenceModel({ steps: settings.pmSteps, seed: settings.seed, model: { size: settings.lmSize, context: 128 }, mix: settings.mix ?? null, ...(settings.pmFixedSteps === true ? FIXED_STEPS : {}) }, pairs, {
      runDir: pmDir,
      resume: existsSync(join(pmDir, 'config.json')),
      signal: context.signal,
      init: GptModel.load(new RunFolder(context.stages.lmDir).latestCheckpoint()!.dir).model,
      onProgress: (p) => context.onProgress?.(`${name} pm`, p.step, p.steps, { loss: p.loss.toFixed(3) }),
    }),
  );
}

/** An arm's PM folder in an experiment's run folder `runDir` (this run's, or the `--pms-from` run's). */
export const armPmDir = (runDir: string, name: string): string => join(runDir, 'arms', name, 'pm');

/**
 * Whether `pmDir` still needs the finished PM run in `from` (false when it already holds a run: the arm's own, or one
 * copied before); `name` is the arm's, for the error.
 * @throws ConfigError when it is needed and `from` holds no finished PM run (no `summary.json`).
 */
export function needsFinishedPm(name: string, from: string, pmDir: string): boolean {
  if (existsSync(join(pmDir, 'config.json'))) return false;
  if (!existsSync(join(from, 'summary.json'))) throw new ConfigError(`--pms-from: no finished PM for the arm ${name} (${from}/summary.json is missing); leave --pms-from out to train it, or finish that run first`);
  return true;
}

/**
 * Copy the finished PM run in `from` into `pmDir`, whole or not at all (a staging sibling put in place by
 * `replaceFolderAtomic`), so that {@link armPreferenceModel} resumes it as finished instead of training: its resume
 * rule then compares the copy's saved settings and data fingerprint with the arm's and refuses any difference by
 * name. Nothing is copied when `pmDir` already holds a run (the arm's own, or one copied before).
 * @returns whether it copied (so that a caller whose copy is then refused can remove it again).
 * @throws ConfigError when `from` holds no finished PM run (no `summary.json`), or `pmDir` holds other files.
 * @example
 * adoptFinishedPm('mixed', 'runs/frontier-s0/arms/mixed/pm', 'runs/frontier-weak-s0/arms/mixed/pm'); // true
 */
export function adoptFinishedPm(name: string, from: string, pmDir: string): boolean {
  if (!needsFinishedPm(name, from, pmDir)) return false;
  if (existsSync(pmDir) && readdirSync(pmDir).length > 0) throw new ConfigError(`--pms-from: ${pmDir} already holds files but no PM run (no config.json); move them away first`);
  mkdirSync(dirname(pmDir), { recursive: true });
  const staged = stagingPath(pmDir);
  cpSync(from, staged, { recursive: true });
  replaceFolderAtomic(staged, pmDir);
  return true;
}

/**
 * An arm's PM: copied from the finished run in `from` when one is given (`--pms-from`, see {@link adoptFinishedPm}),
 * then resumed as {@link armPreferenceModel} does — so a copy trained on other settings or data is refused by the
 * resume rule, and removed again so that a rerun without `--pms-from` trains its own.
 * @throws ConfigError when `from` holds no finished PM, or one that does not fit this arm.
 */
export async function adoptedOrTrainedPm(
  name: string,
  pmDir: string,
  from: string | undefined,
  pairs: readonly PreferencePair[],
  settings: Parameters<typeof armPreferenceModel>[3],
  context: ArmStageContext,
): Promise<TrainedPm> {
  const copied = from !== undefined && adoptFinishedPm(name, from, pmDir);
  return armPreferenceModel(name, pmDir, pairs, settings, context).catch((error: unknown) => {
    if (from === undefined || !(error instanceof ConfigError)) throw error;
    if (copied) rmSync(pmDir, { recursive: true, force: true }); // only the copy made here
    throw new ConfigError(`--pms-from: the PM copied from ${from} does not fit this run: ${error.message}`);
  });
}

/** PPO's recipe an arm states (the demo's names). */
export type ArmPpoSettings = DemoPpoRecipe & { readonly ptxCoef: number };

/**
 * PPO from π₀ against `scorer` in `ppoDir` with the demo's settings (skipped when its last checkpoint is there):
 * `description` is what the run's config records of its inputs.
 */
export async function armPpo(
  name: string,
  ppoDir: string,
  inputs: { readonly prompts: readonly RolloutPrompt[]; readonly scorer: PreferenceScorer; readonly description: Readonly<Record<string, unknown>> },
  settings: ArmPpoSettings,
  context: ArmStageContext,
): Promise<void> {
  if (finishedRun(ppoDir, settings.ppoSteps)) return sameInputsAsFinished(ppoDir, inputs.description);
  await context.timed(`${name}/ppo`, async () => {
    const result = await trainPpo(
      { ...demoPpoCore(settings), evalEvery: 0, probePrompts: 0, checkpointEvery: 8 },
      {
        policy: context.stages.sftDir,
        prompts: [...inputs.prompts],
        reward: preferenceModelReward(inputs.scorer),
        ptxDemonstrations: settings.ptxCoef > 0 ? loadDemonstrations(context.stages.ptxData) : undefined,
        description: inputs.description,
      },
      ppoDir,
      {
        resume: existsSync(join(ppoDir, 'config.json')),
        signal: context.signal,
        onProgress: (p) => context.onProgress?.(`${name} ppo`, p.step, p.totalSteps, { reward: p.row.reward.toFixed(3), kl: p.row.kl.toFixed(2) }),
      },
    );
    await result.policy.release();
  });
}

/**
 * Check that the finished PPO run in `ppoDir`, which an arm skips, was trained on the inputs `description` names (its
 * prompts, reward, contamination…), as a resumed run's are checked: a rerun over a folder with other inputs (say
 * `--ppo-prompts slice` into a folder PPO'd on the whole pool) would otherwise report the old policy as the new one.
 * @throws ConfigError naming each input that differs.
 */
function sameInputsAsFinished(ppoDir: string, description: Readonly<Record<string, unknown>>): void {
  const saved = readJsonFile(join(ppoDir, 'config.json'), z.looseObject({ inputs: z.record(z.string(), z.unknown()) }), 'a PPO run config {"inputs": {…}, …}').inputs;
  const differences = statedDifferences(saved, description, description, []);
  if (differences.length === 0) return;
  const listed = differences.map((difference) => `${difference.path}: ${JSON.stringify(difference.saved)}, now ${JSON.stringify(difference.requested)}`).join('; ');
  throw new ConfigError(`${ppoDir}: this finished PPO run was trained on other inputs (${listed}); give another --out for a run with these`);
}

/** PPO's last iteration: mean PM reward of its samples and KL(π‖π₀) in nats per response (null when not logged). */
export function lastPpoRow(ppoDir: string): { readonly reward: number | null; readonly kl: number | null } {
  const last = new RunFolder(ppoDir).metricRows().filter((row) => row.kind === 'train').at(-1);
  const number = (value: unknown) => (typeof value === 'number' ? value : null);
  return { reward: number(last?.reward), kl: number(last?.kl) };
}

/** An arm PM's gold accuracy on its world's held-out comparisons, overall, by task and on the slice an experiment names. */
export interface ArmPmGold {
  readonly gold: number | null;
  readonly helpful_gold: number | null;
  readonly harmless_gold: number | null;
  readonly slice_gold: number | null;
  readonly slice_n: number;
}

const ArmPmGoldSchema = z.object({ gold: z.number().nullable(), helpful_gold: z.number().nullable(), harmless_gold: z.number().nullable(), slice_gold: z.number().nullable(), slice_n: z.number() });

/**
 * The PM's gold accuracy on the held-out comparisons of `worldDir` and on the slice `slice` picks (from those
 * comparisons, or any others), measured once into `armDir/pm-gold.json` (timed as `<name>/pm-eval`); later calls read it.
 */
export async function armPmGold(
  name: string,
  armDir: string,
  worldDir: string,
  scorer: PreferenceScorer,
  slice: (test: readonly PreferencePair[]) => readonly PreferencePair[],
  context: ArmStageContext,
): Promise<ArmPmGold> {
  const path = join(armDir, 'pm-gold.json');
  if (existsSync(path)) return readJsonFile(path, ArmPmGoldSchema, 'a PM gold accuracy {gold, helpful_gold, harmless_gold, slice_gold, slice_n}');
  return context.timed(`${name}/pm-eval`, async () => {
    const test = (await loadPairs([`world:${worldDir}:both:test`])).pairs;
    const overall = await evaluatePreferenceModel(scorer, test);
    const picked = slice(test);
    const measured: ArmPmGold = {
      gold: overall.gold_accuracy,
      helpful_gold: overall.by_task.helpful?.gold_accuracy ?? null,
      harmless_gold: overall.by_task.harmless?.gold_accuracy ?? null,
      slice_gold: picked.length === 0 ? null : (await evaluatePreferenceModel(scorer, picked)).gold_accuracy,
      slice_n: picked.length,
    };
    writeFileAtomic(path, `${JSON.stringify(measured, null, 2)}\n`);
    return measured;
  });
}
