/**
 * The preference-model run folder: the shared trainer lifecycle (`config.json`, `metrics.jsonl`,
 * `checkpoints/<step>/`, the resume rule and the data fingerprint; see `train/common/training-run.ts`) plus
 * `best/` (the best validated weights so far), `model/` (the kept model) and `summary.json` (written last:
 * the run is complete).
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { GptConfigSchema } from '../../model/gpt-config.ts';
import { ConfigError } from '../../spec/errors.ts';
import { TrainingRun, type TrainerRunKind, type TrainingRunOptions } from '../common/training-run.ts';
import { trainerState } from '../run-folder.ts';
import { PmTrainConfigSchema, type PmTrainConfig } from './pm-config.ts';

/**
 * What an `hhrl pm train` run folder holds: its settings in config.json; `model/`, `best/` and (PMP) `pmp/` beside
 * them. Nothing is resumable: the batch plan and the cosine schedule are functions of `steps`, and a run ends in a
 * kept model chosen by early stopping, so a longer run is a new run (`--init` from this one).
 */
export const PM_RUN: TrainerRunKind<PmTrainConfig> = { command: 'pm train', config: PmTrainConfigSchema, entries: ['model', 'best', 'pmp'], resumable: [] };

const ValidationSchema = z.object({ loss: z.number(), accuracy: z.number(), pairs: z.number().int() });

/** A PM checkpoint's `trainer.json`: the step, the data's fingerprint, the best validation so far and the early-stopping count. */
export const PmTrainerJsonSchema = z.object({
  step: z.number().int().min(0),
  dataFingerprint: z.string(),
  best: ValidationSchema.extend({ step: z.number().int().min(0) }).nullable(),
  staleEvaluations: z.number().int().min(0),
});

/** A PM checkpoint's `trainer.json` (see {@link PmTrainerJsonSchema}). */
export type PmTrainerJson = z.infer<typeof PmTrainerJsonSchema>;

/** What a PM checkpoint's `trainer.json` must be, in words. */
export const PM_TRAINER_JSON = 'a PM trainer state {"step", "dataFingerprint", "best", "staleEvaluations"}';

/** `summary.json` of a finished PM run (the fields a resumed call returns and the CLI prints). */
export const PmSummarySchema = z.looseObject({
  stepsRun: z.number().int().min(0),
  stoppedEarly: z.boolean(),
  keptStep: z.number().int().min(0),
  validation: ValidationSchema.nullable(),
  trainPairs: z.number().int().min(0),
  validationPairs: z.number().int().min(0),
  parameters: z.number().int().min(0),
  model: GptConfigSchema,
  seconds: z.number(),
  pairsPerSecond: z.number(),
});

/** A PM run folder through the trainer lifecycle. */
export class PmTrainingRun extends TrainingRun<PmTrainConfig> {
  constructor(dir: string, options: TrainingRunOptions = {}) {
    super(dir, PM_RUN, options);
  }

  get summaryPath(): string {
    return join(this.dir, 'summary.json');
  }
  get modelDir(): string {
    return join(this.dir, 'model');
  }
  /** The best validated weights found at `step` (one folder per improvement, so a resumed run finds the best it knew). */
  bestDir(step: number): string {
    return join(this.dir, 'best', String(step).padStart(8, '0'));
  }

  /** Whether the run has written its `summary.json` (it is complete). */
  get finished(): boolean {
    return existsSync(this.summaryPath);
  }

  /**
   * Claim the folder as every trainer does; a fresh run also refuses a folder that holds a finished run.
   * @throws ConfigError for a folder this run must not write.
   */
  override open(config: PmTrainConfig, dataFingerprint: string): void {
    if (!this.resume && this.finished) throw new ConfigError(`${this.dir} already holds a finished run; choose another --out`);
    super.open(config, dataFingerprint);
  }

  /**
   * Delete best-weights folders no kept checkpoint refers to, and older than `current` (the best step now).
   * Each checkpoint's `trainer.json` names the best step it knew (`best.step`).
   */
  pruneBest(current: number | null): void {
    const root = join(this.dir, 'best');
    if (!existsSync(root)) return;
    const referenced = new Set<number>(current === null ? [] : [current]);
    for (const step of this.checkpointSteps()) {
      const best = trainerState(this.checkpointDir(step), PmTrainerJsonSchema, PM_TRAINER_JSON).best;
      if (best !== null) referenced.add(best.step);
    }
    for (const name of readdirSync(root)) {
      if (/^\d+$/.test(name) && !referenced.has(Number(name))) rmSync(join(root, name), { recursive: true, force: true });
    }
  }
}
