/**
 * Generating a whole world and writing it as a folder. Generation is a pure function of the config (seed
 * included): no clock, no global state, so the same config gives byte-identical files. The folder is built
 * beside the target and swapped in at once, so a reader never sees a half-written world.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { writeFileAtomic, replaceFolderAtomic } from '../util/atomic-write.ts';
import { ConfigError } from '../spec/errors.ts';
import type { ComparisonTask } from '../spec/comparison.ts';
import { serializeTranscript } from '../data/hh-transcript.ts';
import { hhLine } from '../data/formats/hh-line.ts';
import type { Split } from './types.ts';
import type { WorldConfig } from './config.ts';
import type { WorldModel } from './world.ts';
import { createWorldModel, worldRandom } from './world.ts';
import type { ComparisonSets } from './comparisons.ts';
import { generateComparisons } from './comparisons.ts';
import type { Demonstration } from './corpus.ts';
import { baseCorpus, demonstrations } from './corpus.ts';
import type { EvalSets, PromptItem } from './prompts.ts';
import { EVAL_SET_NAMES, evalSets, promptPool } from './prompts.ts';

/** Format name and version written into `world.json`; bump the version when file layouts change. */
export const WORLD_FORMAT = { name: 'hhrl-world', version: 1 } as const;

/** A generated world held in memory. */
export interface GeneratedWorld {
  readonly model: WorldModel;
  readonly corpus: string;
  readonly sft: Readonly<Record<Split, readonly Demonstration[]>>;
  readonly comparisons: ComparisonSets;
  readonly pools: Readonly<Record<Split, readonly PromptItem[]>>;
  readonly eval: EvalSets;
}

/**
 * Generate a world from a resolved config (see `resolveWorldConfig`).
 * @example
 * const world = generateWorld(resolveWorldConfig(7, 'small'));
 * world.comparisons.sets.helpful.train.length // 800
 */
export function generateWorld(config: WorldConfig): GeneratedWorld {
  const model = createWorldModel(config);
  const root = worldRandom(config);
  return {
    model,
    corpus: baseCorpus(model, root.fork('corpus')),
    sft: {
      train: demonstrations(model, 'train', config.sft.train, root.fork('sft-train')),
      test: demonstrations(model, 'test', config.sft.test, root.fork('sft-test')),
    },
    comparisons: generateComparisons(model, root.fork('comparisons')),
    pools: {
      train: promptPool(model, 'train', config.pools.train, root.fork('pool-train')),
      test: promptPool(model, 'test', config.pools.test, root.fork('pool-test')),
    },
    eval: evalSets(model, root.fork('eval')),
  };
}

/** File name of an evaluation set (`harmfulByCategory` → `eval/harmful-by-category.jsonl`). */
export function evalFile(name: (typeof EVAL_SET_NAMES)[number]): string {
  return `eval/${name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}.jsonl`;
}

/** Paths (relative to the world folder) of the comparison files of a task and split. */
export function comparisonFiles(task: ComparisonTask, split: Split): { hh: string; meta: string } {
  return { hh: `comparisons/${task}-${split}.jsonl`, meta: `comparisons/${task}-${split}.meta.jsonl` };
}

/** One line of a prompt file: the item plus the prompt as an HH transcript ready for generation. */
export function promptLine(item: PromptItem): string {
  return JSON.stringify({ ...item, prompt: `${serializeTranscript(item.conversation)}\n\nAssistant:` });
}

const jsonl = (rows: readonly unknown[]) => rows.map((row) => `${JSON.stringify(row)}\n`).join('');

/** Every file of a world: relative path → contents. */
export function worldFiles(world: GeneratedWorld): Map<string, string> {
  const files = new Map<string, string>();
  files.set('corpus/base.txt', world.corpus);
  files.set('knowledge.json', `${JSON.stringify(world.model.knowledge, null, 2)}\n`);
  for (const split of ['train', 'test'] as const) {
    files.set(`sft/${split}.jsonl`, jsonl(world.sft[split]));
    files.set(`prompts/rl-${split}.jsonl`, world.pools[split].map((item) => `${promptLine(item)}\n`).join(''));
    for (const task of ['helpful', 'harmless'] as const) {
      const rows = world.comparisons.sets[task][split];
      const paths = comparisonFiles(task, split);
      files.set(paths.hh, rows.map((row) => `${hhLine(serializeTranscript(row.chosen), serializeTranscript(row.rejected))}\n`).join(''));
      files.set(paths.meta, jsonl(rows.map((row) => row.meta)));
    }
  }
  for (const name of EVAL_SET_NAMES) {
    files.set(evalFile(name), world.eval[name].map((item) => `${promptLine(item)}\n`).join(''));
  }
  const population = world.comparisons.population;
  files.set('annotators.json', `${JSON.stringify({
    note: 'Ground truth of the simulated population (who contaminates). `world stats` does not read it to flag.',
    scale: population.scale,
    styleStrength: population.styleStrength,
    annotators: population.annotators,
  }, null, 2)}\n`);
  return files;
}

/** Row counts per file kind, for `world.json`. */
function counts(world: GeneratedWorld) {
  const sets = world.comparisons.sets;
  return {
    corpusBytes: Buffer.byteLength(world.corpus),
    sft: { train: world.sft.train.length, test: world.sft.test.length },
    comparisons: {
      helpful: { train: sets.helpful.train.length, test: sets.helpful.test.length },
      harmless: { train: sets.harmless.train.length, test: sets.harmless.test.length },
    },
    pools: { train: world.pools.train.length, test: world.pools.test.length },
    eval: Object.fromEntries(EVAL_SET_NAMES.map((name) => [name, world.eval[name].length])),
    annotators: world.comparisons.population.annotators.length,
  };
}

/** The manifest `world.json`: format, config, counts and every file with its size and sha256. */
export function worldManifest(world: GeneratedWorld, files: ReadonlyMap<string, string>) {
  const { seed, size } = world.model.config;
  return {
    format: WORLD_FORMAT.name,
    version: WORLD_FORMAT.version,
    seed,
    size,
    config: world.model.config,
    counts: counts(world),
    files: [...files].map(([path, text]) => ({
      path,
      bytes: Buffer.byteLength(text),
      sha256: createHash('sha256').update(text).digest('hex'),
    })),
  };
}

/**
 * Write a generated world to `dir`, replacing a previous world there at once. Refuses a non-empty folder
 * that does not hold a world (so a mistyped path cannot wipe unrelated files).
 * @throws ConfigError when `dir` is a non-empty folder without `world.json`.
 */
export function writeWorld(world: GeneratedWorld, dir: string): { files: number; bytes: number } {
  const target = resolve(dir);
  if (existsSync(target) && readdirSync(target).length > 0 && !existsSync(join(target, 'world.json'))) {
    throw new ConfigError(`${dir}: folder is not empty and holds no world.json; choose an empty or new folder`);
  }
  const staged = `${target}.staging-${process.pid}`;
  rmSync(staged, { recursive: true, force: true });
  mkdirSync(dirname(target), { recursive: true });
  const files = worldFiles(world);
  let bytes = 0;
  try {
    for (const [path, text] of files) {
      writeFileAtomic(join(staged, path), text);
      bytes += Buffer.byteLength(text);
    }
    const manifest = `${JSON.stringify(worldManifest(world, files), null, 2)}\n`;
    writeFileAtomic(join(staged, 'world.json'), manifest);
    replaceFolderAtomic(staged, target);
    return { files: files.size + 1, bytes: bytes + Buffer.byteLength(manifest) };
  } catch (error) {
    rmSync(staged, { recursive: true, force: true });
    throw error;
  }
}
