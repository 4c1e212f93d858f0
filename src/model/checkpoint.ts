/**
 * Checkpoints: a folder with `config.json` (model shape, heads, metadata), `model.safetensors`
 * (weights by Hugging Face GPT-2 names), `tokenizer.json`, and optionally `optimizer.safetensors`
 * (Adam moments) and `trainer.json` for resuming. Written to a staging folder and renamed into
 * place, so a reader sees a whole checkpoint or none.
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { CheckpointError } from '../spec/errors.ts';
import { replaceFolderAtomic, stagingPath, writeFileAtomic } from '../util/atomic-write.ts';
import { ParamLayout } from '../engine/index.ts';
import { GptConfigSchema, type GptConfig } from './gpt-config.ts';
import { gptParamSpecs, type GptHeads } from './gpt.ts';
import { readSafetensors, writeSafetensors, type SafeTensor } from './safetensors.ts';
import { loadTokenizer, saveTokenizer, type BpeTokenizer } from './tokenizer/index.ts';

/** Version of the checkpoint layout, bumped on incompatible changes. */
export const CHECKPOINT_FORMAT = 1;

const CheckpointConfigSchema = z
  .object({
    format: z.literal(CHECKPOINT_FORMAT),
    model: GptConfigSchema,
    heads: z.object({ lm: z.boolean().optional(), sequenceScalar: z.boolean().optional(), tokenScalar: z.boolean().optional() }).strict(),
    metadata: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();

/** Optimizer state saved beside the weights for resuming. */
export interface SavedOptimizer {
  readonly m: Float32Array;
  readonly v: Float32Array;
  readonly step: number;
}

/** Everything in a checkpoint folder. */
export interface Checkpoint {
  readonly config: GptConfig;
  readonly heads: GptHeads;
  readonly params: Float32Array;
  readonly tokenizer: BpeTokenizer;
  readonly metadata: Record<string, unknown>;
  readonly optimizer?: SavedOptimizer;
  /** Parsed `trainer.json` when present (trainer-specific resume state). */
  readonly trainer?: unknown;
}

/** Write a checkpoint folder atomically (stage, fsync every file and the folder, rename over `dir`). */
export function saveCheckpoint(dir: string, checkpoint: Checkpoint): void {
  const layout = new ParamLayout(gptParamSpecs(checkpoint.config, checkpoint.heads));
  if (checkpoint.params.length !== layout.total) {
    throw new CheckpointError(`${dir}: ${checkpoint.params.length} parameter values, the config needs ${layout.total}`);
  }
  mkdirSync(dirname(dir), { recursive: true });
  const staging = stagingPath(dir);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging);
  try {
    const config = { format: CHECKPOINT_FORMAT, model: checkpoint.config, heads: checkpoint.heads, metadata: checkpoint.metadata };
    // every file is written atomically (temp, fsync, rename): the staged folder is whole before it is renamed
    writeFileAtomic(join(staging, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
    const tensors: Record<string, SafeTensor> = {};
    for (const entry of layout.entries) {
      tensors[entry.name] = { dtype: 'F32', shape: entry.shape, data: checkpoint.params.slice(entry.offset, entry.offset + entry.size) };
    }
    writeSafetensors(join(staging, 'model.safetensors'), tensors, { format: 'pt' });
    saveTokenizer(checkpoint.tokenizer, join(staging, 'tokenizer.json'));
    if (checkpoint.optimizer) {
      writeSafetensors(
        join(staging, 'optimizer.safetensors'),
        {
          m: { dtype: 'F32', shape: [layout.total], data: new Float32Array(checkpoint.optimizer.m) },
          v: { dtype: 'F32', shape: [layout.total], data: new Float32Array(checkpoint.optimizer.v) },
        },
        { step: String(checkpoint.optimizer.step) },
      );
    }
    if (checkpoint.trainer !== undefined) writeFileAtomic(join(staging, 'trainer.json'), `${JSON.stringify(checkpoint.trainer, null, 2)}\n`);
    replaceFolderAtomic(staging, dir);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
}

/** Read and validate a checkpoint folder; every problem is a `CheckpointError` naming the file. */
export function loadCheckpoint(dir: string): Checkpoint {
  const configPath = join(dir, 'config.json');
  if (!existsSync(configPath)) throw new CheckpointError(`${dir}: not a checkpoint (no config.json)`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(configPath, 'utf8'));
  } catch (error) {
    throw new CheckpointError(`${configPath}: invalid JSON: ${(error as Error).message}`, { cause: error });
  }
  const parsed = CheckpointConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const details = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new CheckpointError(`${configPath}: ${details}`);
  }
  const { model: config, heads, metadata } = parsed.data;
  const layout = new ParamLayout(gptParamSpecs(config, heads));
  const weightsPath = join(dir, 'model.safetensors');
  const { tensors } = readSafetensors(weightsPath);
  const params = new Float32Array(layout.total);
  for (const entry of layout.entries) {
    const tensor = tensors.get(entry.name);
    if (tensor === undefined) throw new CheckpointError(`${weightsPath}: missing tensor "${entry.name}"`);
    if (tensor.dtype !== 'F32') throw new CheckpointError(`${weightsPath}: "${entry.name}" is ${tensor.dtype}, expected F32`);
    if (tensor.shape.length !== entry.shape.length || tensor.shape.some((d, i) => d !== entry.shape[i])) {
      throw new CheckpointError(
        `${weightsPath}: "${entry.name}" has shape [${tensor.shape.join(', ')}], the config needs [${entry.shape.join(', ')}]`,
      );
    }
    params.set(tensor.data as Float32Array, entry.offset);
  }
  for (const name of tensors.keys()) {
    if (!layout.has(name)) throw new CheckpointError(`${weightsPath}: unexpected tensor "${name}" (config and weights disagree)`);
  }
  const tokenizer = loadTokenizer(join(dir, 'tokenizer.json'));
  if (tokenizer.vocabSize > config.vocabSize) {
    throw new CheckpointError(`${dir}: tokenizer has ${tokenizer.vocabSize} ids but the model only ${config.vocabSize}`);
  }
  let optimizer: SavedOptimizer | undefined;
  const optimizerPath = join(dir, 'optimizer.safetensors');
  if (existsSync(optimizerPath)) {
    const saved = readSafetensors(optimizerPath);
    const m = saved.tensors.get('m');
    const v = saved.tensors.get('v');
    const step = Number(saved.metadata.step);
    if (!m || !v || m.data.length !== layout.total || v.data.length !== layout.total || !Number.isInteger(step)) {
      throw new CheckpointError(`${optimizerPath}: expected F32 tensors m and v of ${layout.total} values and an integer step`);
    }
    optimizer = { m: m.data as Float32Array, v: v.data as Float32Array, step };
  }
  let trainer: unknown;
  const trainerPath = join(dir, 'trainer.json');
  if (existsSync(trainerPath)) {
    try {
      trainer = JSON.parse(readFileSync(trainerPath, 'utf8'));
    } catch (error) {
      throw new CheckpointError(`${trainerPath}: invalid JSON: ${(error as Error).message}`, { cause: error });
    }
  }
  return { config, heads, params, tokenizer, metadata, optimizer, trainer };
}
