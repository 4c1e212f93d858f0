/**
 * Preference-model pretraining (PMP, Askell et al. 2021 §4; used by Bai et al. 2022 §3): train the PM first
 * on a broad comparison set, then fine-tune it on the target comparisons. Both stages share one model
 * (and one tokenizer trained on the transcripts of both sets) and each has its own run folder
 * (`<run>/pmp/` and `<run>/`), so a killed run resumes in whichever stage it was.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { GptModel } from '../../model/gpt-model.ts';
import { parsePmTrainConfig, type PmTrainConfig, type PmTrainConfigInput } from './pm-config.ts';
import type { PreferencePair } from '../../data/specs/preference-pairs.ts';
import { createPreferenceModel, trainPreferenceModel, type PmProgress, type TrainedPm } from './pm-trainer.ts';

/** Options of {@link trainWithPmp}. */
export interface PmpOptions {
  /** PMP steps (the fine-tuning stage runs `config.steps`). */
  readonly pmpSteps: number;
  readonly runDir?: string;
  readonly resume?: boolean;
  /** Start both stages from this model instead of a fresh one. */
  readonly init?: GptModel;
  readonly onProgress?: (stage: 'pmp' | 'finetune', progress: PmProgress) => void;
  readonly signal?: AbortSignal;
  /** Where the run folders report what they cleaned up after a kill. */
  readonly log?: (message: string) => void;
}

/** Both stages' results. */
export interface PmpResult {
  readonly pmp: TrainedPm;
  readonly finetuned: TrainedPm;
}

/**
 * PMP on `pmpPairs`, then fine-tuning on `pairs`.
 * @example
 * const { finetuned } = await trainWithPmp({ steps: 200 }, worldPairs, realPairs, { pmpSteps: 400, runDir: 'runs/pm-real' });
 */
export async function trainWithPmp(
  configInput: PmTrainConfigInput | PmTrainConfig,
  pmpPairs: readonly PreferencePair[],
  pairs: readonly PreferencePair[],
  options: PmpOptions,
): Promise<PmpResult> {
  const config = parsePmTrainConfig(configInput);
  const init = options.init ?? (config.initFrom === null ? createPreferenceModel(config, [...pmpPairs, ...pairs]) : undefined);
  const pmp = await trainPreferenceModel({ ...configInput, steps: options.pmpSteps }, pmpPairs, {
    runDir: options.runDir === undefined ? undefined : join(options.runDir, 'pmp'),
    resume: options.resume,
    init,
    signal: options.signal,
    log: options.log,
    onProgress: (progress) => options.onProgress?.('pmp', progress),
  });
  // a run killed between the stages resumes with a fresh fine-tuning stage (its folder has no config.json yet)
  const finetuneStarted = options.runDir !== undefined && existsSync(join(options.runDir, 'config.json'));
  const finetuned = await trainPreferenceModel(configInput, pairs, {
    runDir: options.runDir,
    resume: options.resume === true && finetuneStarted,
    init: pmp.model,
    signal: options.signal,
    log: options.log,
    onProgress: (progress) => options.onProgress?.('finetune', progress),
  });
  return { pmp, finetuned };
}
