/**
 * The opening every experiment from one π₀ plays (the frontier, the online run, and experiments written after them):
 * π₀'s stages (base LM and SFT trained under the experiment's folder, or a finished demo's with `policyFrom`), the
 * held-out evaluation prompts every policy of the experiment is judged on, and π₀'s evaluation on them (`sft-eval/`,
 * done once). Each stage is timed into the folder's `stage-minutes.json`; a finished stage is skipped and a killed
 * one resumes.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { worldEvalPrompts, type RolloutPrompt } from '../../data/specs/prompts.ts';
import { ConfigError } from '../../spec/errors.ts';
import { selectEvalPrompts } from '../../train/rollout/world-eval.ts';
import { loadWorld, type LoadedWorld } from '../../world/index.ts';
import type { FrontierRates } from './frontier-rates.ts';
import { evaluateOnce, latestModel, type PolicyEvalSettings } from './policy-eval.ts';
import { experimentPolicy, type PolicyStages, type PolicyStageSettings } from './policy-stages.ts';
import { stageTimer, type StageTimer } from './stage-minutes.ts';

/** Progress of an experiment: a stage, its step and total, and a few numbers to show. */
export type ExperimentProgress = (stage: string, step: number, total: number, fields: Readonly<Record<string, string>>) => void;

/** The resolved settings the opening reads (an experiment's config resolved with `withPreset` has them all). */
export type OpeningSettings = PolicyStageSettings & PolicyEvalSettings & { readonly evalPerSet: number };

/** How the opening is driven. */
export interface OpeningOptions {
  readonly signal?: AbortSignal;
  /** Progress of the base LM's and SFT's steps (stages `lm` and `sft`, with the loss). */
  readonly onProgress?: ExperimentProgress;
  /** A finished demo folder on the same world whose base LM and π₀ to use instead of training them here. */
  readonly policyFrom?: string;
}

/** What an experiment starts from. */
export interface PolicyOpening {
  /** π₀'s run folders (trained under `dir`, or the demo's) and the ptx demonstrations written into `dir`. */
  readonly stages: PolicyStages;
  /** The held-out prompts every policy of the experiment is judged on: up to `evalPerSet` of each evaluation set. */
  readonly evalPrompts: RolloutPrompt[];
  /** π₀'s rates on them (kept in `dir/sft-eval/`). */
  readonly sft: FrontierRates;
  /** The timer of the experiment's stages (`dir/stage-minutes.json`); time the experiment's own stages with it. */
  readonly timed: StageTimer;
  /** Minutes of every stage so far, summed over every process that worked on `dir` (updated by `timed`). */
  readonly minutes: Readonly<Record<string, number>>;
}

/**
 * The world an experiment runs on, checked before anything is written.
 * @throws ConfigError when `worldDir` holds no `world.json`; DataFormatError when a world file was changed.
 */
export function loadExperimentWorld(worldDir: string): LoadedWorld {
  if (!existsSync(join(worldDir, 'world.json'))) throw new ConfigError(`--world ${worldDir}: no world.json there; run hhrl world generate --out ${worldDir}`);
  return loadWorld(worldDir);
}

/**
 * Play the opening under `dir` (`lm/`, `sft/` unless `policyFrom`, `sft-data.jsonl`, `ptx-data.jsonl`, `sft-eval/`):
 * 1) π₀'s stages (timed as `policy`), 2) the held-out evaluation prompts, 3) π₀'s evaluation (timed as `sft/eval`).
 * @throws ConfigError when `policyFrom` lacks a stage or was trained on another world.
 * @example
 * // an experiment from one π₀: its own stages follow the opening, timed with the same timer
 * const config = resolveMyExperimentConfig(input); // OpeningConfigSchema.extend({…}), then withPreset
 * const world = loadExperimentWorld(worldDir);
 * const { stages, evalPrompts, sft, timed, minutes } = await playPolicyOpening(world, config, dir, { signal, onProgress, policyFrom });
 * const ppo = await timed('arm/ppo', () => trainPpo({ ...demoPpoCore(config), … }, { policy: stages.sftDir, … }, join(dir, 'arm', 'ppo')));
 * const rates = await timed('arm/eval', () => evaluateOnce(join(dir, 'arm'), () => latestModel(join(dir, 'arm', 'ppo')), evalPrompts, config));
 * // rates.harm_rate − sft.harm_rate: what the arm changed; Object.values(minutes) sum to the work so far
 */
export async function playPolicyOpening(world: LoadedWorld, settings: OpeningSettings, dir: string, options: OpeningOptions = {}): Promise<PolicyOpening> {
  const { timed, minutes } = stageTimer(dir);
  // 1) π₀: trained here (base LM, then SFT), or a finished demo's
  const stages = await experimentPolicy(world, world.dir, settings, dir, timed, options);
  // 2) the held-out prompts every policy is judged on
  const evalPrompts = selectEvalPrompts(worldEvalPrompts(world.dir), settings.evalPerSet);
  // 3) π₀'s rates on them, evaluated once
  const sft = await timed('sft/eval', () => evaluateOnce(join(dir, 'sft-eval'), () => latestModel(stages.sftDir), evalPrompts, settings));
  return { stages, evalPrompts, sft, timed, minutes };
}
