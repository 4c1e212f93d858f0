/**
 * Comparison data for preference models, from any source hhrl knows, as one flat list of pairs:
 * HH/TRL/OpenAI comparison files, the SQLite comparison store, or an HH world folder (which adds the
 * oracle's gold label, family and category of every pair).
 *
 * A data SPEC names a source and, optionally, a task and a split:
 *
 * | spec                                   | what                                                             |
 * |----------------------------------------|------------------------------------------------------------------|
 * | `world:DIR[:TASK][:SPLIT]`             | a world folder; SPLIT train (default) or test is the world's own |
 * | `store:DB[:TASK][:SPLIT]`              | a comparison store: SQLite file or `postgres://` URL             |
 * | `file:PATH[:TASK][:SPLIT]` or `PATH`   | a `.jsonl`/`.jsonl.gz` file in HH, TRL or OpenAI form            |
 * | `online:DIR[:TASK][:SPLIT]`            | an online round (`hhrl online collect`), with the oracle's gold  |
 *
 * TASK is `helpful`, `harmless` or `both` (default both; for a file without one, `harmless` when its name
 * contains "harmless", else `helpful`). For files, stores and online rounds, which have no split of their own, SPLIT
 * `train`/`test` is a fixed split by content: a pair is `test` when the hash of its two transcripts falls in
 * the lowest {@link HOLDOUT_SHARE} of the hash range, so the split is the same on every machine and run;
 * `all` (the default) takes every row.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { COMPARISON_TASKS, type ComparisonTask } from '../../spec/comparison.ts';
import { ConfigError, DataFormatError } from '../../spec/errors.ts';
import { readComparisonRows } from '../comparison-reader.ts';
import { transcriptsOf } from '../comparison-record.ts';
import { openComparisonSource } from '../store/open-comparison-source.ts';
import { isPostgresSpec } from '../store/pg-schema.ts';
import { loadWorld } from '../../world/load.ts';
import { readRound } from '../../world/online-files.ts';
import type { ComparisonMeta } from '../../world/comparisons.ts';

/** One comparison as the preference model sees it: two whole HH transcripts, the first preferred. */
export interface PreferencePair {
  /** Stable id (the world's comparison id, the store's content id, or `<file>:<line>`). */
  readonly id: string;
  /** Whole preferred transcript (`"\n\nHuman: …\n\nAssistant: …"`). */
  readonly chosen: string;
  /** Whole dispreferred transcript. */
  readonly rejected: string;
  readonly task: ComparisonTask;
  /** Annotator's preference strength in [0, 1]; null when unknown. */
  readonly strength: number | null;
  /** The world oracle's noiseless preference (`chosen` = the label agrees); null for real data and oracle ties. */
  readonly gold: 'chosen' | 'rejected' | null;
  /** Request family (world data); null otherwise. */
  readonly family: string | null;
  /** Request category (world data); null otherwise. */
  readonly category: string | null;
  /** Where the pair came from (file name, store source, `world:<seed>`). */
  readonly source: string;
}

/** Share of a file's or store's rows that its `test` split holds. */
export const HOLDOUT_SHARE = 0.2;

/** A parsed data spec. */
export interface DataSpec {
  readonly kind: 'world' | 'store' | 'file' | 'online';
  readonly path: string;
  readonly task: ComparisonTask | 'both' | null;
  readonly split: 'train' | 'test' | 'all' | null;
}

const TASK_WORDS = new Set<string>([...COMPARISON_TASKS, 'both']);
const SPLIT_WORDS = new Set(['train', 'test', 'all']);

/**
 * Parse a data spec (see the module comment).
 * @throws ConfigError naming the spec when it is malformed.
 * @example
 * parseDataSpec('world:runs/world:harmless:test') // { kind: 'world', path: 'runs/world', task: 'harmless', split: 'test' }
 */
export function parseDataSpec(spec: string): DataSpec {
  const match = /^(world|store|file|online):(.*)$/.exec(spec);
  const kind = (match?.[1] ?? 'file') as DataSpec['kind'];
  const parts = (match?.[2] ?? spec).split(':');
  let task: DataSpec['task'] = null;
  let split: DataSpec['split'] = null;
  while (parts.length > 1) {
    const last = parts[parts.length - 1];
    if (split === null && SPLIT_WORDS.has(last)) split = last as DataSpec['split'];
    else if (task === null && TASK_WORDS.has(last)) task = last as DataSpec['task'];
    else break;
    parts.pop();
  }
  const path = parts.join(':');
  if (path === '') throw new ConfigError(`data spec "${spec}": expected a path, e.g. world:DIR[:TASK][:SPLIT], store:DB[:TASK], or FILE.jsonl[.gz]`);
  if (kind === 'world' && split === 'all') throw new ConfigError(`data spec "${spec}": a world has splits train and test, not all`);
  return { kind, path, task, split };
}

/** Whether a pair falls in the `test` split of a file or store (fixed, content-based). */
export function inHoldout(chosen: string, rejected: string): boolean {
  const digest = createHash('sha256').update(chosen).update('\u0000').update(rejected).digest();
  return digest.readUInt32BE(0) / 0x100000000 < HOLDOUT_SHARE;
}

function keepSplit(split: DataSpec['split'], chosen: string, rejected: string): boolean {
  if (split === null || split === 'all') return true;
  return inHoldout(chosen, rejected) === (split === 'test');
}

function tasksOf(task: DataSpec['task']): readonly ComparisonTask[] {
  return task === null || task === 'both' ? COMPARISON_TASKS : [task];
}

/**
 * A preference pair from the world's metadata of a comparison (its own or an online round's): id, task,
 * strength, gold (null on an oracle tie), family and category, with the two whole transcripts.
 */
export function pairFromMeta(
  meta: Pick<ComparisonMeta, 'id' | 'task' | 'strength' | 'family' | 'category'> & { readonly gold: ComparisonMeta['gold'] | 'tie' },
  chosen: string,
  rejected: string,
  source: string,
): PreferencePair {
  const gold = meta.gold === 'tie' ? null : meta.gold;
  return { id: meta.id, chosen, rejected, task: meta.task, strength: meta.strength, gold, family: meta.family, category: meta.category, source };
}

function loadWorldPairs(spec: DataSpec): PreferencePair[] {
  const world = loadWorld(spec.path);
  const split = spec.split === 'test' ? 'test' : 'train';
  const pairs: PreferencePair[] = [];
  for (const task of tasksOf(spec.task)) {
    const rows = world.comparisons(task, split);
    const metas = world.comparisonMeta(task, split);
    if (rows.length !== metas.length) {
      throw new DataFormatError(spec.path, undefined, `expected as many ${task}-${split} metadata rows as comparisons (${metas.length} vs ${rows.length})`);
    }
    rows.forEach((row, index) => pairs.push(pairFromMeta(metas[index], row.chosen, row.rejected, `world:${world.config.seed}`)));
  }
  return pairs;
}

async function loadStorePairs(spec: DataSpec): Promise<PreferencePair[]> {
  if (!isPostgresSpec(spec.path) && !existsSync(spec.path)) {
    throw new DataFormatError(spec.path, undefined, 'expected a comparison store (hhrl data import … --store DB, or a postgres:// URL hhrl feedback serve writes)');
  }
  const source = await openComparisonSource(spec.path);
  try {
    const pairs: PreferencePair[] = [];
    for (const task of tasksOf(spec.task)) {
      for await (const record of source.records({ task })) {
        const { chosen, rejected } = transcriptsOf(record);
        if (!keepSplit(spec.split, chosen, rejected)) continue;
        pairs.push({ id: record.id, chosen, rejected, task, strength: record.strength, gold: null, family: null, category: null, source: record.source });
      }
    }
    return pairs;
  } finally {
    await source.close();
  }
}

function loadOnlinePairs(spec: DataSpec): PreferencePair[] {
  const tasks = tasksOf(spec.task);
  return readRound(spec.path)
    .filter((row) => tasks.includes(row.task) && keepSplit(spec.split, row.chosen, row.rejected))
    .map(({ chosen, rejected, meta }) => pairFromMeta(meta, chosen, rejected, `online:r${meta.round}`));
}

/** What reading a file skipped. */
export interface SkippedRows {
  readonly count: number;
  /** The first few problems, as `file:line: what was expected`. */
  readonly examples: readonly string[];
}

async function loadFilePairs(spec: DataSpec, strict: boolean, skipped: string[]): Promise<PreferencePair[]> {
  const task: ComparisonTask = spec.task === 'helpful' || spec.task === 'harmless' ? spec.task : /harmless/i.test(spec.path) ? 'harmless' : 'helpful';
  if (spec.task === 'both') throw new ConfigError(`data spec for ${spec.path}: a file holds one task; give helpful or harmless`);
  const pairs: PreferencePair[] = [];
  const source = spec.path.split('/').pop() ?? spec.path;
  for await (const batch of readComparisonRows(spec.path)) {
    for (const row of batch) {
      if ('problem' in row) {
        if (strict) throw new DataFormatError(spec.path, row.line, row.problem.message);
        skipped.push(`${spec.path}:${row.line}: ${row.problem.message}`);
        continue;
      }
      const { chosen, rejected } = row.row;
      if (!keepSplit(spec.split, chosen, rejected)) continue;
      pairs.push({ id: `${source}:${row.line}`, chosen, rejected, task, strength: null, gold: null, family: null, category: null, source });
    }
  }
  return pairs;
}

/** Pairs read from specs, and the rows skipped as unreadable. */
export interface LoadedPairs {
  readonly pairs: PreferencePair[];
  readonly skipped: SkippedRows;
}

/**
 * Read every pair the specs name, in spec order.
 * @param strict stop at the first unreadable file row (DataFormatError naming file and line) instead of skipping it.
 * @throws ConfigError for a malformed spec; DataFormatError for a missing or broken source.
 */
export async function loadPairs(specs: readonly string[], options: { strict?: boolean } = {}): Promise<LoadedPairs> {
  if (specs.length === 0) throw new ConfigError('no data: give at least one data spec');
  const pairs: PreferencePair[] = [];
  const skipped: string[] = [];
  for (const text of specs) {
    const spec = parseDataSpec(text);
    const loaded =
      spec.kind === 'world'
        ? loadWorldPairs(spec)
        : spec.kind === 'store'
          ? await loadStorePairs(spec)
          : spec.kind === 'online'
            ? loadOnlinePairs(spec)
            : await loadFilePairs(spec, options.strict ?? false, skipped);
    pairs.push(...loaded);
  }
  return { pairs, skipped: { count: skipped.length, examples: skipped.slice(0, 5) } };
}
