/**
 * The lifecycle every trainer shares (LM, SFT, PM, DPO, PPO/RLOO): one run folder (`config.json`,
 * `metrics.jsonl`, `checkpoints/<step>/`), one resume rule, one optimizer restore, one checkpoint write.
 *
 *   const run = new TrainingRun(outDir, SFT_RUN, { resume, log });
 *   const saved = run.settings(requested, given);   // 1) settings: requested, or the saved ones (resume rule)
 *   run.open(saved, dataFingerprint(rows));           // 2) claim the folder, write config.json
 *   const restored = run.restore();                   // 3) newest checkpoint: weights, optimizer state, trainer.json
 *   run.saveCheckpoint(model, state, { step, … });    // 4) every checkpointEvery steps, pruned to keepCheckpoints
 *
 * A resumed run keeps its saved settings (stated differences are refused by name, see `resume-rule.ts`), must
 * train on the same data (the fingerprint in every checkpoint's `trainer.json`), and needs the optimizer state
 * of its checkpoint: a checkpoint without one is an error, never a silent restart of AdamW.
 */
import { existsSync } from 'node:fs';
import { z } from 'zod';
import type { OptimizerState } from '../../engine/index.ts';
import { GptModel } from '../../model/gpt-model.ts';
import { CheckpointError, ConfigError } from '../../spec/errors.ts';
import { RunFolder, trainerState, type RunKind } from '../run-folder.ts';
import { resumedConfig } from './resume-rule.ts';

/** What a trainer declares about its run folder: the `config.json` schema and the settings a resume may change. */
export interface TrainerRunKind<F> extends RunKind<F> {
  /** Dotted `config.json` paths a resume may change (`steps` to extend a run); any other stated difference is refused. */
  readonly resumable: readonly string[];
}

/** The `trainer.json` fields of every checkpoint: its step and the fingerprint of the data it was trained on. */
export const TrainerJsonSchema = z.looseObject({ step: z.number().int().min(0), dataFingerprint: z.string() });

/** The `trainer.json` fields of every checkpoint (see {@link TrainerJsonSchema}). */
export type TrainerJson = z.infer<typeof TrainerJsonSchema>;

/** What {@link TrainerJsonSchema} asks for, in words. */
export const TRAINER_JSON = 'a trainer state {"step", "dataFingerprint", …}';

/** A resumed run's newest checkpoint. */
export interface Restored<S extends TrainerJson> {
  readonly step: number;
  readonly dir: string;
  readonly model: GptModel;
  /** The optimizer state saved with it (its parameters are `model.params`). */
  readonly optimizer: OptimizerState;
  /** Its `trainer.json`, checked against the trainer's schema. */
  readonly trainer: S;
}

/** How a run is opened: fresh or resumed, and where the folder reports what it cleaned up after a kill. */
export interface TrainingRunOptions {
  readonly resume?: boolean;
  readonly log?: (message: string) => void;
}

/** One trainer's run folder through its lifecycle (see the module comment). */
export class TrainingRun<F> extends RunFolder<F> {
  readonly resume: boolean;
  private fingerprint: string | undefined;

  constructor(
    dir: string,
    readonly trainer: TrainerRunKind<F>,
    options: TrainingRunOptions = {},
  ) {
    super(dir, trainer, options.log);
    this.resume = options.resume ?? false;
  }

  /**
   * The settings the run goes on with: `requested` for a fresh run; for a resumed one the saved `config.json`,
   * with the resumable paths the caller stated taken from `requested`. Writes nothing.
   * @param given - what the caller stated (before defaults): only these settings are compared with the saved ones.
   * @throws ConfigError naming the stated settings that differ from the saved ones, or when there is nothing to resume;
   *   DataFormatError for a bad config.json.
   */
  settings(requested: F, given: unknown): F {
    if (!this.resume) return requested;
    if (!existsSync(this.configPath)) throw new ConfigError(`${this.dir}: nothing to resume (no config.json)`);
    return resumedConfig(this.savedConfig(), requested, given, this.trainer.resumable, this.configPath);
  }

  /**
   * Claim the folder (see `RunFolder.start`) and write `config` when fresh; `dataFingerprint` goes into every
   * checkpoint and must match the checkpoint a resumed run continues from.
   */
  open(config: F, dataFingerprint: string): void {
    this.start(config, this.resume);
    this.fingerprint = dataFingerprint;
  }

  /**
   * The newest checkpoint of a resumed run, with its optimizer state and `trainer.json`; metric rows after it
   * are dropped. Fresh, or resumed without a checkpoint (it starts over): undefined.
   * @param schema - the trainer's `trainer.json` schema (at least {@link TrainerJsonSchema}); `expected` says it in words.
   * @throws CheckpointError when the checkpoint has no optimizer state; ConfigError when the data's fingerprint differs.
   */
  restore<S extends TrainerJson>(schema: z.ZodType<S>, expected: string): Restored<S> | undefined {
    const latest = this.resume ? this.latestCheckpoint() : undefined;
    if (latest === undefined) {
      if (this.resume) this.truncateMetrics(-1);
      return undefined;
    }
    const loaded = GptModel.load(latest.dir);
    const saved = loaded.checkpoint.optimizer;
    if (saved === undefined) throw new CheckpointError(`${latest.dir}: no optimizer state (optimizer.safetensors) to resume from; the run cannot continue as it would have`);
    const trainer = trainerState(latest.dir, schema, expected);
    if (trainer.step !== latest.step) throw new CheckpointError(`${latest.dir}/trainer.json: step ${trainer.step}, expected ${latest.step}`);
    if (trainer.dataFingerprint !== this.requireFingerprint()) {
      throw new ConfigError(`${this.dir}: the training data differs from the run being resumed (fingerprint ${this.fingerprint}, saved ${trainer.dataFingerprint})`);
    }
    this.truncateMetrics(latest.step);
    return { step: latest.step, dir: latest.dir, model: loaded.model, optimizer: { params: loaded.model.params, m: saved.m, v: saved.v, step: saved.step }, trainer };
  }

  /**
   * Save `model` with the optimizer's weights into `checkpoints/<step>/`, with the optimizer state and
   * `trainer.json` (`{ step, dataFingerprint, ...trainer }`), and prune to the newest `keep`.
   */
  saveCheckpoint(
    model: GptModel,
    state: OptimizerState,
    checkpoint: { readonly step: number; readonly keep: number; readonly metadata: Readonly<Record<string, unknown>>; readonly trainer?: Readonly<Record<string, unknown>> },
  ): string {
    model.params = state.params;
    const dir = this.checkpointDir(checkpoint.step);
    model.save(dir, {
      metadata: { ...checkpoint.metadata, step: checkpoint.step },
      optimizer: { m: state.m, v: state.v, step: state.step },
      trainer: { step: checkpoint.step, dataFingerprint: this.requireFingerprint(), ...checkpoint.trainer },
    });
    this.pruneCheckpoints(checkpoint.keep);
    return dir;
  }

  private requireFingerprint(): string {
    if (this.fingerprint === undefined) throw new TypeError(`TrainingRun ${this.dir}: open() it before restoring or saving checkpoints`);
    return this.fingerprint;
  }
}
