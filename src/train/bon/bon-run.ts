/**
 * Best-of-n over a prompt set as a resumable run: prompts are taken `chunk` at a time, each chunk with its own
 * seed (so a chunk's samples do not depend on which chunks ran before), and with a run folder each finished
 * chunk is written atomically to `chunks/<index>.jsonl`. `--resume` reads the chunks that are there and
 * samples only the rest, with the settings saved in `config.json`; the result equals an unbroken run.
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
import type { RolloutOptions } from '../rollout/rollout.ts';
import { RunFolder, type RunKind } from '../run-folder.ts';
import { bestOfN } from './best-of-n.ts';

/** Settings of a best-of-n run (saved in `config.json`). */
export type BonRunOptions = RolloutOptions & { readonly n: number; readonly batch: number; readonly seed: number; readonly chunk: number };

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

/** What an `hhrl bon --run` folder's config.json holds (`chunks/` beside it). */
export const BON_RUN: RunKind<{ options: BonRunOptions; inputs: Record<string, unknown> }> = {
  command: 'bon',
  config: z.strictObject({
    options: z.looseObject({ n: z.number().int().min(1), batch: z.number().int().min(1), seed: z.number().int(), chunk: z.number().int().min(1) }),
    inputs: z.record(z.string(), z.unknown()),
  }) as unknown as z.ZodType<{ options: BonRunOptions; inputs: Record<string, unknown> }>,
  entries: ['chunks'],
};

/**
 * Run best-of-n over `prompts`, in memory or (with `run.dir`) as a resumable run folder.
 * @throws ConfigError for a folder that already holds a run without `resume`, or nothing to resume.
 * @example
 * const rows = await runBestOfN(policy, prompts, reward, { ...rollout, n: 8, batch: 32, seed: 0, chunk: 64 }, { dir: 'runs/bon' });
 */
export async function runBestOfN(
  policy: GptModel,
  prompts: readonly RolloutPrompt[],
  reward: RewardFunction,
  requested: BonRunOptions,
  run: {
    readonly dir?: string;
    readonly resume?: boolean;
    readonly description?: Readonly<Record<string, unknown>>;
    readonly onProgress?: (done: number, total: number) => void;
    readonly log?: (message: string) => void;
  } = {},
): Promise<BonRow[]> {
  let options = requested;
  if (run.dir !== undefined) {
    const folder = new RunFolder(run.dir, BON_RUN, run.log);
    if (!run.resume && existsSync(join(run.dir, 'chunks'))) {
      throw new ConfigError(`${run.dir} already holds a best-of-n run; pass --resume to continue it or choose another folder`);
    }
    folder.start({ options: requested, inputs: { ...run.description } }, run.resume === true);
    if (run.resume) options = folder.savedConfig().options;
    mkdirSync(join(run.dir, 'chunks'), { recursive: true });
  }
  if (!Number.isInteger(options.chunk) || options.chunk < 1) throw new RangeError(`best-of-n: chunk must be a positive integer, got ${options.chunk}`);
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
