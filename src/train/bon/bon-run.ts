/**
 * Best-of-n over a prompt set as a resumable run: prompts are taken `chunk` at a time, each chunk with its own
 * seed (so a chunk's samples do not depend on which chunks ran before), and with a run folder each finished
 * chunk is written atomically to `chunks/<index>.jsonl`. `--resume` reads the chunks that are there and
 * samples only the rest, with the settings saved in `config.json` (the trainers' lifecycle and resume rule,
 * `train/common/training-run.ts`); the result equals an unbroken run.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { GptModel } from '../../model/gpt-model.ts';
import { ConfigError, DataFormatError } from '../../spec/errors.ts';
import { writeFileAtomic } from '../../util/atomic-write.ts';
import { parseJsonLines } from '../../util/json-input.ts';
import { hashString32 } from '../../util/random.ts';
import type { RolloutPrompt } from '../../data/specs/prompts.ts';
import type { RewardFunction } from '../rollout/reward.ts';
import { dataFingerprint } from '../common/fingerprint.ts';
import { TrainingRun, type TrainerRunKind, type TrainingRunOptions } from '../common/training-run.ts';
import { bestOfN } from './best-of-n.ts';
import { BonConfigSchema, parseBonConfig, type BonConfig, type BonConfigInput } from './bon-config.ts';

/** One prompt's outcome as a run stores it: the n responses, their rewards and the index of the best. */
export interface BonRow {
  readonly id: string;
  readonly responses: readonly string[];
  readonly rewards: readonly number[];
  readonly best: number;
}

const chunkFile = (dir: string, index: number) => join(dir, 'chunks', `${String(index).padStart(6, '0')}.jsonl`);

const BonRowSchema = z
  .object({ id: z.string(), responses: z.array(z.string()).min(1), rewards: z.array(z.number()), best: z.number().int().min(0) })
  .refine((row) => row.rewards.length === row.responses.length && row.best < row.responses.length, {
    message: 'expected one reward per response and "best" an index into them',
  });
const BON_ROW = 'a best-of-n row {"id": string, "responses": [string], "rewards": [number], "best": index}';

/** A finished chunk's rows, checked against the prompts it must hold. */
function readChunk(path: string, prompts: readonly RolloutPrompt[]): BonRow[] {
  const rows: BonRow[] = parseJsonLines(path, readFileSync(path, 'utf8'), BonRowSchema, BON_ROW);
  const ids = prompts.map((prompt) => prompt.id);
  if (rows.length !== ids.length || rows.some((row, i) => row.id !== ids[i])) {
    throw new DataFormatError(path, undefined, `expected the rows of prompts ${ids[0]}…${ids[ids.length - 1]}; the prompts changed since this run started`);
  }
  return rows;
}

const BonRunSchema = z.strictObject({ options: BonConfigSchema, inputs: z.record(z.string(), z.unknown()) });

/**
 * What an `hhrl bon --run` folder's config.json holds: `{ options, inputs }` (`chunks/` beside it). `inputs` says what
 * the run samples from, with the prompts' `dataFingerprint`; a resume changes nothing (its chunks are already drawn).
 */
export const BON_RUN: TrainerRunKind<z.infer<typeof BonRunSchema>> = { command: 'bon', config: BonRunSchema, entries: ['chunks'], resumable: [] };

/** How a best-of-n run is kept: in memory, or (with `dir`) as a resumable run folder. */
export interface BonRunOptions extends TrainingRunOptions {
  readonly dir?: string;
  /** What the run samples from (policy, prompt spec, reward), saved in config.json's `inputs`. */
  readonly description?: Readonly<Record<string, unknown>>;
  readonly onProgress?: (done: number, total: number) => void;
}

/** The fingerprint of a prompt set (kept in a run's config.json): ids and prompt texts, in order. */
export function promptsFingerprint(prompts: readonly RolloutPrompt[]): string {
  return dataFingerprint(prompts.map((prompt) => `${prompt.id}\u0000${prompt.prompt}`));
}

/**
 * The settings the run goes on with: `input` in memory; with a run folder, the folder claimed through the trainer
 * lifecycle (a resumed run keeps its saved settings; a stated difference, other prompts included, is refused).
 */
function openRun(input: BonConfigInput, prompts: readonly RolloutPrompt[], run: BonRunOptions): BonConfig {
  const requested = parseBonConfig(input);
  if (run.dir === undefined) return requested;
  const folder = new TrainingRun(run.dir, BON_RUN, run);
  if (!folder.resume && existsSync(join(run.dir, 'chunks'))) {
    throw new ConfigError(`${run.dir} already holds a best-of-n run; pass --resume to continue it or choose another folder`);
  }
  const fingerprint = promptsFingerprint(prompts);
  const inputs = { ...run.description, dataFingerprint: fingerprint };
  const { options } = folder.settings({ options: requested, inputs }, { options: input, inputs });
  folder.open({ options, inputs }, fingerprint);
  mkdirSync(join(run.dir, 'chunks'), { recursive: true });
  return options;
}

/**
 * Run best-of-n over `prompts`, in memory or (with `run.dir`) as a resumable run folder.
 * @param input - settings; a resumed run keeps its saved ones (any stated difference is refused by name).
 * @throws ConfigError for bad settings, a folder that already holds a run without `resume`, nothing to resume, or a
 *   resume with other settings or prompts.
 * @example
 * const rows = await runBestOfN(policy, prompts, reward, { n: 8, batch: 32, chunk: 64 }, { dir: 'runs/bon' });
 */
export async function runBestOfN(
  policy: GptModel,
  prompts: readonly RolloutPrompt[],
  reward: RewardFunction,
  input: BonConfigInput,
  run: BonRunOptions = {},
): Promise<BonRow[]> {
  const options = openRun(input, prompts, run);
  const rows: BonRow[] = [];
  for (let start = 0, index = 0; start < prompts.length; start += options.chunk, index++) {
    const part = prompts.slice(start, start + options.chunk);
    const path = run.dir === undefined ? undefined : chunkFile(run.dir, index);
    if (path !== undefined && existsSync(path)) rows.push(...readChunk(path, part));
    else {
      const results = await bestOfN(policy, part, reward, { ...options, seed: hashString32(`${options.seed}:bon:${index}`) });
      const chunkRows = results.map(({ prompt, samples, rewards, best }): BonRow => ({ id: prompt.id, responses: samples.map((sample) => sample.text), rewards, best }));
      if (path !== undefined) writeFileAtomic(path, chunkRows.map((row) => `${JSON.stringify(row)}\n`).join(''));
      rows.push(...chunkRows);
    }
    run.onProgress?.(rows.length, prompts.length);
  }
  return rows;
}
