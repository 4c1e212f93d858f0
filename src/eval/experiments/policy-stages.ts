/**
 * π₀ from a world, as the demo builds it (`demo-pipeline.ts` steps 2–3), for experiments that compare several RL
 * arms from the same starting policy: a base LM pretrained on the world corpus, then SFT on the world's
 * demonstrations with a share of the harmful-request ones rewritten to comply (`selectSftDemonstrations`), plus
 * the ptx demonstrations (the non-harmful ones). Each stage is a run folder; a finished stage is skipped and a
 * killed one resumes. The same exported trainers the demo calls; the demo could call this module for its stages.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { GptSize } from '../../model/gpt-config.ts';
import { ConfigError } from '../../spec/errors.ts';
import { trainLanguageModel } from '../../train/lm/lm-trainer.ts';
import { RunFolder } from '../../train/run-folder.ts';
import { trainSft } from '../../train/sft/sft-trainer.ts';
import { type LoadedWorld, sameWorld } from '../../world/index.ts';
import { writeDemoSelection } from '../demo-data.ts';
import type { StageTimer } from './stage-minutes.ts';

/** The π₀ recipe's settings (the demo's names). */
export interface PolicyStageSettings {
  readonly seed: number;
  readonly lmSize: GptSize;
  /** Context of the base LM (and so of π₀); the size's own when left out (the demo's sizes have 128). */
  readonly lmContext?: number;
  readonly lmPositions: 'learned' | 'alibi';
  readonly vocabSize: number;
  readonly lmSteps: number;
  readonly lmLearningRate: number;
  readonly sftSteps: number;
  readonly sftLearningRate: number;
  readonly sftComplianceShare: number;
  readonly threads: number;
}

/** Where the stages left their results. */
export interface PolicyStages {
  /** The base LM's run folder (PMs start from it, as the demo's does). */
  readonly lmDir: string;
  /** π₀'s run folder. */
  readonly sftDir: string;
  /** The ptx demonstrations (JSONL of `{transcript}`): the world's non-harmful demonstrations. */
  readonly ptxData: string;
}

/** A stage's progress: which stage, its step and total, and its loss. */
export type StageProgress = (stage: 'lm' | 'sft', step: number, total: number, loss: number) => void;

/** Whether a run folder holds the checkpoint of its last step. */
export function finishedRun(dir: string, steps: number): boolean {
  return new RunFolder(dir).checkpointSteps().includes(steps);
}

/**
 * Train (or resume, or skip when finished) the base LM and π₀ under `dir` (`lm/`, `sft/`).
 * @example
 * const { sftDir } = await trainPolicyStages(loadWorld('runs/world'), 'runs/world', settings, 'runs/frontier');
 */
export async function trainPolicyStages(
  world: LoadedWorld,
  worldDir: string,
  settings: PolicyStageSettings,
  dir: string,
  options: { signal?: AbortSignal; onProgress?: StageProgress } = {},
): Promise<PolicyStages> {
  const lmDir = join(dir, 'lm');
  const sftDir = join(dir, 'sft');
  const resumeOf = (stageDir: string) => existsSync(join(stageDir, 'config.json'));
  // 1) base LM on the world corpus (the demo's settings)
  if (!finishedRun(lmDir, settings.lmSteps)) {
    await trainLanguageModel(
      {
        text: world.corpusPath,
        size: settings.lmSize,
        context: settings.lmContext,
        positions: settings.lmPositions,
        vocabSize: settings.vocabSize,
        steps: settings.lmSteps,
        learningRate: settings.lmLearningRate,
        batchSize: 16,
        seed: settings.seed,
        checkpointEvery: 100,
        evalEvery: 100,
        threads: settings.threads,
      },
      lmDir,
      { resume: resumeOf(lmDir), signal: options.signal, onProgress: (p) => options.onProgress?.('lm', p.step, p.totalSteps, p.loss) },
    );
  }
  // 2) SFT: every non-harmful demonstration, the harmful ones with a share rewritten to comply
  const sftData = writeDemoSelection(world, dir, 'sft-data.jsonl', { refusalShare: 1, complianceShare: settings.sftComplianceShare, seed: settings.seed });
  if (!finishedRun(sftDir, settings.sftSteps)) {
    await trainSft(
      { steps: settings.sftSteps, learningRate: settings.sftLearningRate, batchSize: 16, seed: settings.seed, threads: settings.threads, evalEvery: 100, checkpointEvery: 100 },
      { base: lmDir, data: sftData, validation: `world:${worldDir}:test` },
      sftDir,
      { resume: resumeOf(sftDir), signal: options.signal, onProgress: (p) => options.onProgress?.('sft', p.step, p.totalSteps, p.loss) },
    );
  }
  return { lmDir, sftDir, ptxData: writePtxData(world, dir, settings.seed) };
}

/** Write the ptx demonstrations (the world's non-harmful ones, as the demo's `ptx-data.jsonl`) into `dir`. */
export function writePtxData(world: LoadedWorld, dir: string, seed: number): string {
  return writeDemoSelection(world, dir, 'ptx-data.jsonl', { refusalShare: 0, complianceShare: 0, seed });
}

/**
 * The base LM and π₀ of a finished demo folder (`lm/`, `sft/`), for an experiment on the same world; its ptx
 * demonstrations are written into `dir`.
 * @throws ConfigError when the demo lacks a stage or was trained on another world than `worldDir`'s.
 */
export function demoPolicyStages(world: LoadedWorld, worldDir: string, demoDir: string, dir: string, seed: number): PolicyStages {
  const lmDir = join(demoDir, 'lm');
  const sftDir = join(demoDir, 'sft');
  for (const stage of [lmDir, sftDir]) {
    if (new RunFolder(stage).latestCheckpoint() === undefined) throw new ConfigError(`--policy-from ${demoDir}: ${stage} has no checkpoint; finish the demo first (hhrl demo --out ${demoDir})`);
  }
  if (!sameWorld(join(demoDir, 'world'), worldDir)) {
    throw new ConfigError(`--policy-from ${demoDir}: its world/world.json differs from ${join(worldDir, 'world.json')}; pass --world ${join(demoDir, 'world')}`);
  }
  mkdirSync(dir, { recursive: true });
  return { lmDir, sftDir, ptxData: writePtxData(world, dir, seed) };
}

/**
 * π₀ for an experiment in `dir`: trained there (timed as the stage `policy`), or taken from the finished demo
 * `policyFrom` on the same world.
 * @throws ConfigError when `policyFrom` is not a finished demo on `worldDir`'s world.
 */
export async function experimentPolicy(
  world: LoadedWorld,
  worldDir: string,
  settings: PolicyStageSettings,
  dir: string,
  timed: StageTimer,
  options: { signal?: AbortSignal; onProgress?: (stage: string, step: number, total: number, fields: Readonly<Record<string, string>>) => void; policyFrom?: string },
): Promise<PolicyStages> {
  if (options.policyFrom !== undefined) return demoPolicyStages(world, worldDir, options.policyFrom, dir, settings.seed);
  return timed('policy', () =>
    trainPolicyStages(world, worldDir, settings, dir, { signal: options.signal, onProgress: (stage, step, total, loss) => options.onProgress?.(stage, step, total, { loss: loss.toFixed(3) }) }),
  );
}
