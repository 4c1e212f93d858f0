/**
 * The preference-model run folder: the shared training layout (`config.json`, `metrics.jsonl`,
 * `checkpoints/<step>/`, see `train/run-folder.ts`) plus `best/` (the best validated weights so far),
 * `model/` (the kept model) and `summary.json` (written last: the run is complete).
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import { ConfigError } from '../../spec/errors.ts';
import { RunFolder, trainerState, type RunKind } from '../run-folder.ts';
import { PmTrainConfigSchema, type PmTrainConfig } from './pm-config.ts';

/** What an `hhrl pm train` run folder holds: its settings in config.json; `model/`, `best/` and (PMP) `pmp/` beside them. */
export const PM_RUN: RunKind<PmTrainConfig> = { command: 'pm train', config: PmTrainConfigSchema, entries: ['model', 'best', 'pmp'] };

const ValidationSchema = z.object({ loss: z.number(), accuracy: z.number(), pairs: z.number().int() });

/** A PM checkpoint's `trainer.json`: the step, the data's fingerprint, the best validation so far and the early-stopping count. */
export const PmTrainerJsonSchema = z.object({
  step: z.number().int().min(0),
  dataFingerprint: z.string(),
  best: ValidationSchema.extend({ step: z.number().int().min(0) }).nullable(),
  staleEvaluations: z.number().int().min(0),
});

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
  seconds: z.number(),
  pairsPerSecond: z.number(),
  aborted: z.boolean(),
});

/** A PM run folder. */
export class PmRunFolder extends RunFolder<PmTrainConfig> {
  constructor(dir: string, log?: (message: string) => void) {
    super(dir, PM_RUN, log);
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

  /**
   * Start fresh (writing `config.json`) or, with `resume` and a stored config, check it equals `config`.
   * Returns whether the run resumes.
   * @throws ConfigError when a resumed run's config differs, or a fresh run would overwrite one.
   */
  prepare(config: PmTrainConfig, resume: boolean): boolean {
    if (resume && existsSync(this.configPath)) {
      this.start(config, true);
      if (!isDeepStrictEqual(this.savedConfig(), JSON.parse(JSON.stringify(config)))) {
        throw new ConfigError(`${this.dir}/config.json: the stored config differs from this one; resume with the same settings`);
      }
      return true;
    }
    if (existsSync(this.summaryPath)) throw new ConfigError(`${this.dir} already holds a finished run; choose another --out`);
    this.start(config, false);
    return false;
  }
}
