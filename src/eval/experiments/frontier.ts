/**
 * The helpful–harmless frontier (Bai et al. 2022 §4.1, §4.4, Fig. 1): PPO from one π₀ against preference models
 * trained on different helpful:harmless mixes of the world's comparisons — helpfulness only, harmlessness only, the
 * equal mixture and other mixes — each policy judged by the oracle on the world's held-out sets. The paper expects
 * helpful-only RL to comply with harmful requests, harmless-only RL to become evasive, and the mixture to lower harm
 * while keeping answers; `checkExpectations` says which held.
 *
 * Folders under `dir`: the opening's (`policy-opening.ts`: `lm/`, `sft/` or a finished demo's with `policyFrom`, `sft-eval/`), and per arm `arms/<arm>/pm/`,
 * `arms/<arm>/ppo/` and its evaluation (`eval.json`, `eval-samples.jsonl`). A finished stage is skipped and a killed
 * one resumes, so an interrupted experiment continues where it stopped.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { loadPairs, type PreferencePair } from '../../data/specs/preference-pairs.ts';
import { loadPrompts } from '../../data/specs/prompts.ts';
import { evaluatePolicy } from '../../train/rollout/world-eval.ts';
import { writeFileAtomic } from '../../util/atomic-write.ts';
import { readJsonFile } from '../../util/json-input.ts';
import { evaluatePreferenceModel } from '../pm-eval.ts';
import { NAMED_ARMS, mixArmName, resolveFrontierConfig, type FrontierConfig, type Mix, type NamedArm } from './frontier-config.ts';
import { checkExpectations, type FrontierExpectations, type FrontierRates } from './frontier-rates.ts';
import { evaluateOnce, latestModel } from './policy-eval.ts';
import { totalMinutes, type StageTimer } from './stage-minutes.ts';
import { loadExperimentWorld, playPolicyOpening, type ExperimentProgress, type OpeningOptions } from './policy-opening.ts';
import type { PolicyStages } from './policy-stages.ts';
import { adoptedOrTrainedPm, armPmDir, armPpo, lastPpoRow, needsFinishedPm } from './arm-stages.ts';

/** An RL arm's result: its policy's rates, and what its PM and PPO did. */
export interface FrontierArm extends FrontierRates {
  readonly mix: Mix;
  /** Share of helpfulness comparisons in the PM's batches. */
  readonly helpful_share: number;
  /** The PM's gold accuracy (oracle preference) on each task's held-out comparisons, and what it trained on. */
  readonly pm: { readonly helpful_gold: number | null; readonly harmless_gold: number | null; readonly train_pairs: number; readonly steps_run: number };
  /** PPO's last iteration: mean PM reward of its samples and KL(π‖π₀) in nats per response. */
  readonly ppo: { readonly reward: number | null; readonly kl: number | null };
}

/** The experiment's JSON. */
export interface FrontierResult {
  readonly kind: 'frontier';
  readonly world: string;
  /** The folder of the run (its arms' evaluation samples are there). */
  readonly out: string;
  /** The demo folder whose base LM and π₀ the arms started from, or null when they were trained in `out`. */
  readonly policy_from: string | null;
  /** The earlier frontier run whose finished PMs the arms used instead of training their own, or null. */
  readonly pms_from: string | null;
  readonly seed: number;
  readonly sft: FrontierRates;
  readonly helpful_only: FrontierArm;
  readonly harmless_only: FrontierArm;
  readonly mixed: FrontierArm;
  /** The other mixes, each with its ratio (`"3:1"` = helpful:harmless). */
  readonly mixes: readonly (FrontierArm & { readonly ratio: string })[];
  readonly expectations: FrontierExpectations;
  readonly eval_prompts: number;
  /** Wall time of each stage in this folder, summed over every process that worked on it. */
  readonly minutes: number;
  readonly stage_minutes: Readonly<Record<string, number>>;
  readonly config: FrontierConfig;
}

/** Progress: a stage, its step and total, and a few numbers to show. */
export type FrontierProgress = ExperimentProgress;

/** How the experiment is driven: the opening's options, and where finished PMs may be taken from. */
export interface FrontierOptions extends OpeningOptions {
  /**
   * An earlier frontier run (its `--out` folder) on the same world whose finished PMs (`arms/<arm>/pm/`) each arm
   * copies instead of training one: PPO and evaluation then run here (e.g. with another λ_KL). A copied PM trained
   * with other settings or on other comparisons is refused by name, as a resumed one is.
   */
  readonly pmsFrom?: string;
}

/** The world's training comparisons of the tasks a mix draws from (one task alone when the other's share is 0). */
async function pmTrainingPairs(worldDir: string, mix: Mix): Promise<PreferencePair[]> {
  const data = mix.harmless === 0 ? 'helpful' : mix.helpful === 0 ? 'harmless' : 'both';
  return (await loadPairs([`world:${worldDir}:${data}:train`])).pairs;
}

interface ArmContext {
  readonly worldDir: string;
  readonly dir: string;
  readonly stages: PolicyStages;
  readonly config: FrontierConfig;
  readonly evalPrompts: Parameters<typeof evaluatePolicy>[1];
  readonly test: Readonly<Record<'helpful' | 'harmless', readonly PreferencePair[]>>;
  readonly timed: StageTimer;
  readonly signal?: AbortSignal;
  readonly onProgress?: FrontierProgress;
  readonly pmsFrom?: string;
}

/** Train one arm's PM and PPO (or resume them) and evaluate its policy. */
async function runArm(name: string, mix: Mix, context: ArmContext): Promise<FrontierArm> {
  const { config, worldDir } = context;
  const armDir = join(context.dir, 'arms', name);
  const pmDir = armPmDir(context.dir, name);
  const ppoDir = join(armDir, 'ppo');
  const pairs = await pmTrainingPairs(worldDir, mix);
  // 1) the PM of this mix, initialised from the base LM as the demo's (or an earlier run's, checked like a resumed one)
  const from = context.pmsFrom === undefined ? undefined : armPmDir(context.pmsFrom, name);
  const pm = await adoptedOrTrainedPm(name, pmDir, from, pairs, { ...config, mix: mix.helpful > 0 && mix.harmless > 0 ? { ...mix } : null }, context);
  const pmPath = join(armDir, 'pm-gold.json');
  const gold = existsSync(pmPath)
    ? readJsonFile(pmPath, z.object({ helpful: z.number().nullable(), harmless: z.number().nullable() }), 'a PM gold accuracy {helpful, harmless}')
    : await context.timed(`${name}/pm-eval`, async () => {
        const measured = {
          helpful: (await evaluatePreferenceModel(pm.scorer, context.test.helpful)).gold_accuracy,
          harmless: (await evaluatePreferenceModel(pm.scorer, context.test.harmless)).gold_accuracy,
        };
        writeFileAtomic(pmPath, `${JSON.stringify(measured, null, 2)}\n`);
        return measured;
      });
  // 2) PPO from π₀ against it, with the demo's settings; no evaluation inside (π₀ is evaluated once, below)
  const prompts = loadPrompts(`world:${worldDir}`);
  await armPpo(name, ppoDir, { prompts, scorer: pm.scorer, description: { prompts: `world:${worldDir}`, reward: `pm:${pmDir}`, mix } }, config, context);
  await pm.scorer.release();
  // 3) the oracle's verdicts on the final policy
  const rates = await context.timed(`${name}/eval`, () => evaluateOnce(armDir, () => latestModel(ppoDir), context.evalPrompts, config));
  return {
    ...rates,
    mix,
    helpful_share: mix.helpful / (mix.helpful + mix.harmless),
    pm: { helpful_gold: gold.helpful, harmless_gold: gold.harmless, train_pairs: pairs.length, steps_run: pm.summary.stepsRun },
    ppo: lastPpoRow(ppoDir),
  };
}

/**
 * Run (or resume) the experiment on the world in `worldDir`, its folders under `dir`.
 * @throws ConfigError when `worldDir` holds no world, `policyFrom` is not a finished demo on it, or `pmsFrom` lacks a
 *   finished PM of an arm or holds one trained with other settings or data.
 * @example
 * const result = await runFrontierExperiment('runs/world', { quick: true }, 'runs/frontier');
 * result.expectations.helpful_only_complies.holds
 */
export async function runFrontierExperiment(
  worldDir: string,
  input: unknown,
  dir: string,
  options: FrontierOptions = {},
): Promise<FrontierResult> {
  const config = resolveFrontierConfig(input);
  const arms: [string, Mix][] = [...(Object.entries(NAMED_ARMS) as [NamedArm, Mix][]), ...config.mixes.map((mix): [string, Mix] => [mixArmName(mix), mix])];
  // a --pms-from run that lacks an arm's finished PM is refused before anything trains
  if (options.pmsFrom !== undefined) for (const [name] of arms) needsFinishedPm(name, armPmDir(options.pmsFrom, name), armPmDir(dir, name));
  // 1) the opening: π₀ (trained here, or a finished demo's), the held-out prompts and π₀'s evaluation
  const { stages, evalPrompts, sft, timed, minutes: stageMinutes } = await playPolicyOpening(loadExperimentWorld(worldDir), config, dir, options);
  // 2) one PM and PPO per arm
  const test = {
    helpful: (await loadPairs([`world:${worldDir}:helpful:test`])).pairs,
    harmless: (await loadPairs([`world:${worldDir}:harmless:test`])).pairs,
  };
  const context: ArmContext = { worldDir, dir, stages, config, evalPrompts, test, timed, signal: options.signal, onProgress: options.onProgress, pmsFrom: options.pmsFrom };
  const done = new Map<string, FrontierArm>();
  for (const [name, mix] of arms) done.set(name, await runArm(name, mix, context));
  const named = Object.fromEntries(Object.keys(NAMED_ARMS).map((name) => [name, done.get(name)!])) as Record<NamedArm, FrontierArm>;
  const mixes = config.mixes.map((mix) => ({ ...done.get(mixArmName(mix))!, ratio: `${mix.helpful}:${mix.harmless}` }));
  const result: FrontierResult = {
    kind: 'frontier',
    world: worldDir,
    out: dir,
    policy_from: options.policyFrom ?? null,
    pms_from: options.pmsFrom ?? null,
    seed: config.seed,
    sft,
    ...named,
    mixes,
    expectations: checkExpectations({ sft, ...named }),
    eval_prompts: evalPrompts.length,
    minutes: totalMinutes(stageMinutes),
    stage_minutes: stageMinutes,
    config,
  };
  writeFileAtomic(join(dir, 'frontier.json'), `${JSON.stringify(result, null, 2)}\n`);
  return result;
}
