/**
 * Loading a world folder written by `writeWorld`: the manifest is checked, the world model (knowledge base,
 * oracle) is rebuilt from the seed and config and compared with the stored knowledge base, and readers give
 * typed rows with errors that name the file and line.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DataFormatError } from '../spec/errors.ts';
import type { ComparisonTask } from '../spec/comparison.ts';
import type { Split } from './types.ts';
import type { WorldConfig } from './config.ts';
import { parseWorldConfig } from './config.ts';
import type { WorldModel } from './world.ts';
import { createWorldModel } from './world.ts';
import { comparisonFiles, evalFile, WORLD_FORMAT } from './generate.ts';
import type { ComparisonMeta } from './comparisons.ts';
import type { AnnotatorPopulation } from './annotators.ts';
import type { Demonstration } from './corpus.ts';
import type { EVAL_SET_NAMES, PromptItem } from './prompts.ts';

/** A prompt row as stored: the item plus its HH prompt text (ending with `"\n\nAssistant:"`). */
export type StoredPrompt = PromptItem & { readonly prompt: string };

/** One file of the manifest. */
export interface ManifestFile {
  readonly path: string;
  readonly bytes: number;
  readonly sha256: string;
}

/** `world.json`. */
export interface WorldManifest {
  readonly format: string;
  readonly version: number;
  readonly seed: number;
  readonly size: string;
  readonly config: WorldConfig;
  readonly counts: Record<string, unknown>;
  readonly files: readonly ManifestFile[];
}

/** A loaded world: its manifest, model and typed readers. */
export interface LoadedWorld {
  readonly dir: string;
  readonly manifest: WorldManifest;
  readonly config: WorldConfig;
  readonly model: WorldModel;
  /** Absolute path of the base corpus text. */
  readonly corpusPath: string;
  /** HH rows `{chosen, rejected}` (whole transcripts) of a task and split. */
  comparisons(task: ComparisonTask, split: Split): { chosen: string; rejected: string }[];
  /** Metadata rows of a task and split, in the same order as `comparisons`. */
  comparisonMeta(task: ComparisonTask, split: Split): ComparisonMeta[];
  sft(split: Split): Demonstration[];
  /** RL prompt pool of a split. */
  prompts(split: Split): StoredPrompt[];
  evalSet(name: (typeof EVAL_SET_NAMES)[number]): StoredPrompt[];
  /** The simulated annotators with their calibrated temperatures (`annotators.json`), to label new pairs. */
  population(): AnnotatorPopulation;
}

/** Options of `loadWorld`. */
export interface LoadWorldOptions {
  /** Check every file's sha256 against the manifest (slower); sizes are always checked. */
  readonly verify?: boolean;
}

function readJson(path: string): unknown {
  const text = readFileSync(path, 'utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new DataFormatError(path, undefined, `expected JSON (${(error as Error).message})`);
  }
}

/** Read a JSONL file, checking each row has the `required` keys. */
export function readJsonl<T>(path: string, required: readonly string[]): T[] {
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.map((line, index) => {
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch (error) {
      throw new DataFormatError(path, index + 1, `expected one JSON object per line (${(error as Error).message})`);
    }
    if (row === null || typeof row !== 'object' || Array.isArray(row)) {
      throw new DataFormatError(path, index + 1, 'expected a JSON object');
    }
    const missing = required.find((key) => !(key in row));
    if (missing !== undefined) throw new DataFormatError(path, index + 1, `expected field "${missing}"`);
    return row as T;
  });
}

/** Read `annotators.json`, checking the fields labelling needs. */
function readPopulation(path: string): AnnotatorPopulation {
  const value = readJson(path) as Partial<AnnotatorPopulation> | null;
  const positive = (x: unknown) => typeof x === 'number' && Number.isFinite(x) && x > 0;
  if (value === null || typeof value !== 'object' || !positive(value.scale?.helpful) || !positive(value.scale?.harmless)) {
    throw new DataFormatError(path, undefined, 'expected "scale": {"helpful": number > 0, "harmless": number > 0}');
  }
  if (typeof value.styleStrength !== 'number') throw new DataFormatError(path, undefined, 'expected "styleStrength": number');
  if (!Array.isArray(value.annotators) || value.annotators.length === 0) throw new DataFormatError(path, undefined, 'expected a non-empty "annotators" array');
  value.annotators.forEach((annotator, index) => {
    if (typeof annotator?.id !== 'string' || !positive(annotator.temperatureFactor) || !['neutral', 'verbose', 'concise'].includes(annotator.style)) {
      throw new DataFormatError(path, undefined, `expected annotators[${index}] to have "id", "temperatureFactor" > 0 and "style" neutral|verbose|concise`);
    }
  });
  return { scale: value.scale!, styleStrength: value.styleStrength, annotators: value.annotators };
}

function checkManifest(path: string, value: unknown): WorldManifest {
  if (value === null || typeof value !== 'object') throw new DataFormatError(path, undefined, 'expected a JSON object');
  const manifest = value as Partial<WorldManifest>;
  if (manifest.format !== WORLD_FORMAT.name) {
    throw new DataFormatError(path, undefined, `expected "format": "${WORLD_FORMAT.name}"`);
  }
  if (manifest.version !== WORLD_FORMAT.version) {
    throw new DataFormatError(path, undefined, `expected "version": ${WORLD_FORMAT.version}, found ${String(manifest.version)}; regenerate the world`);
  }
  if (!Array.isArray(manifest.files)) throw new DataFormatError(path, undefined, 'expected a "files" array');
  return manifest as WorldManifest;
}

/**
 * Whether the folders `a` and `b` hold the same world: both have a world manifest (`world.json`, which lists every
 * file's size and sha256 and the generating config) and the two are identical. A folder without one matches nothing,
 * not even another folder without one.
 * @example sameWorld('runs/demo/world', 'runs/world') // true when the demo ran on that world
 */
export function sameWorld(a: string, b: string): boolean {
  const [first, second] = [a, b].map((dir) => join(dir, 'world.json'));
  return existsSync(first) && existsSync(second) && readFileSync(first, 'utf8') === readFileSync(second, 'utf8');
}

/**
 * Load the world in `dir`.
 * @throws DataFormatError when `world.json` is missing or malformed, a listed file is missing or changed, or
 * the stored knowledge base differs from the one the seed gives (a world written by another version).
 * @example
 * const world = loadWorld('runs/world');
 * world.model.judge([{ role: 'human', text: 'What is 2 plus 3?' }], 'It is 5.').helpfulness // 1
 */
export function loadWorld(dir: string, options: LoadWorldOptions = {}): LoadedWorld {
  const manifestPath = join(dir, 'world.json');
  if (!existsSync(manifestPath)) throw new DataFormatError(manifestPath, undefined, 'expected a world manifest; run `hhrl world generate` first');
  const manifest = checkManifest(manifestPath, readJson(manifestPath));
  const config = parseWorldConfig(manifest.config, manifestPath);
  for (const file of manifest.files) {
    const path = join(dir, file.path);
    if (!existsSync(path)) throw new DataFormatError(path, undefined, 'expected this file (listed in world.json)');
    if (statSync(path).size !== file.bytes) throw new DataFormatError(path, undefined, `expected ${file.bytes} bytes (world.json); the file was changed`);
    if (options.verify === true && createHash('sha256').update(readFileSync(path)).digest('hex') !== file.sha256) {
      throw new DataFormatError(path, undefined, 'expected the sha256 listed in world.json; the file was changed');
    }
  }
  const model = createWorldModel(config);
  const knowledgePath = join(dir, 'knowledge.json');
  if (readFileSync(knowledgePath, 'utf8') !== `${JSON.stringify(model.knowledge, null, 2)}\n`) {
    throw new DataFormatError(knowledgePath, undefined, 'expected the knowledge base this seed gives; the world was written by another hhrl version — regenerate it');
  }
  const at = (path: string) => join(dir, path);
  const promptKeys = ['id', 'family', 'category', 'conversation', 'request', 'prompt'];
  return {
    dir,
    manifest,
    config,
    model,
    corpusPath: at('corpus/base.txt'),
    comparisons: (task, split) => readJsonl(at(comparisonFiles(task, split).hh), ['chosen', 'rejected']),
    comparisonMeta: (task, split) =>
      readJsonl(at(comparisonFiles(task, split).meta), ['id', 'task', 'gold', 'annotatorId', 'extraLabels']),
    sft: (split) => readJsonl(at(`sft/${split}.jsonl`), ['transcript', 'family', 'behaviour']),
    prompts: (split) => readJsonl(at(`prompts/rl-${split}.jsonl`), promptKeys),
    evalSet: (name) => readJsonl(at(evalFile(name)), promptKeys),
    population: () => readPopulation(at('annotators.json')),
  };
}

/** Counts of a world folder's prompt files by family and category (RL pools, eval sets, SFT). */
export function promptCounts(world: LoadedWorld): Record<string, Record<string, Record<string, number>>> {
  const out: Record<string, Record<string, Record<string, number>>> = {};
  const add = (file: string, rows: readonly { family: string; category: string }[]) => {
    const byFamily: Record<string, Record<string, number>> = (out[file] = {});
    for (const row of rows) {
      const byCategory = (byFamily[row.family] ??= {});
      byCategory[row.category] = (byCategory[row.category] ?? 0) + 1;
    }
  };
  for (const split of ['train', 'test'] as const) {
    add(`sft/${split}`, world.sft(split));
    add(`prompts/rl-${split}`, world.prompts(split));
  }
  for (const name of ['harmfulByCategory', 'harmfulByStrategy', 'borderline', 'benign', 'ambiguous'] as const) {
    add(evalFile(name).replace(/\.jsonl$/, ''), world.evalSet(name));
  }
  return out;
}
