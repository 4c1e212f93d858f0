/**
 * Suites by kind, and the `KIND:PATH` suite specs of the command line (`harmbench:FILE`, `csv:FILE`, …).
 * @example
 * const items = loadSuites(parseSuiteSpecs('xstest:data/redteam/xstest/xstest_prompts.csv'), {}); // 450 prompts
 */
import { basename, extname } from 'node:path';
import { ConfigError, DataFormatError } from '../../spec/errors.ts';
import { loadMappedTable, type ColumnMapping } from './generic-suite.ts';
import { loadAdvBench, loadHarmBench, loadSimpleSafetyTests, loadXSTest } from './published-suites.ts';
import type { SuiteItem } from './suite-item.ts';
import { loadWorldSuite } from './world-suite.ts';

/** Column flags for the generic kinds. */
export type SuiteOptions = Partial<ColumnMapping>;

/** One kind of suite: how to load a path. */
export interface SuiteKind {
  readonly description: string;
  load(path: string, options: SuiteOptions): SuiteItem[];
}

function mapped(format: 'csv' | 'jsonl'): SuiteKind {
  return {
    description: `Any ${format.toUpperCase()} file; columns from --prompt-col (required), --category-col, --id-col, --expected-col`,
    load(path, options) {
      if (options.promptColumn === undefined) throw new ConfigError(`suite ${format}:${path} needs --prompt-col`);
      const name = basename(path, extname(path));
      return loadMappedTable(path, { ...options, promptColumn: options.promptColumn }, name, format);
    },
  };
}

/** Every suite kind, by the name used in specs. */
export const SUITE_KINDS = {
  harmbench: { description: 'HarmBench behaviours CSV (Mazeika et al. 2024)', load: (path) => loadHarmBench(path) },
  advbench: { description: 'AdvBench harmful_behaviors.csv (Zou et al. 2023)', load: (path) => loadAdvBench(path) },
  simplesafetytests: {
    description: 'SimpleSafetyTests CSV (Vidgen et al. 2023)',
    load: (path) => loadSimpleSafetyTests(path),
  },
  xstest: { description: 'XSTest prompts CSV (Röttger et al. 2024): over-refusal', load: (path) => loadXSTest(path) },
  world: {
    description: 'The HH world\'s harmful, borderline and benign evaluation sets (a folder from `hhrl world generate`)',
    load: (path) => loadWorldSuite(path),
  },
  csv: mapped('csv'),
  jsonl: mapped('jsonl'),
} as const satisfies Record<string, SuiteKind>;

/** A suite kind name. */
export type SuiteKindId = keyof typeof SUITE_KINDS;

/** A parsed suite spec. */
export interface SuiteSpec {
  readonly kind: SuiteKindId;
  readonly path: string;
}

/** Parse `KIND:PATH[,KIND:PATH…]`. */
export function parseSuiteSpecs(text: string): SuiteSpec[] {
  return text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => {
      const colon = part.indexOf(':');
      const kind = colon < 0 ? part : part.slice(0, colon);
      const path = colon < 0 ? '' : part.slice(colon + 1);
      if (!Object.hasOwn(SUITE_KINDS, kind)) {
        throw new ConfigError(`unknown suite kind "${kind}" in "${part}"; expected one of ${Object.keys(SUITE_KINDS).join(', ')}`);
      }
      if (path === '') throw new ConfigError(`suite "${part}" needs a path: ${kind}:PATH`);
      return { kind: kind as SuiteKindId, path };
    });
}

/** Load every spec; fails when two suites share a name. */
export function loadSuites(specs: readonly SuiteSpec[], options: SuiteOptions): SuiteItem[] {
  const items: SuiteItem[] = [];
  const names = new Set<string>();
  for (const spec of specs) {
    const loaded: SuiteItem[] = SUITE_KINDS[spec.kind].load(spec.path, options);
    if (loaded.length === 0) throw new DataFormatError(spec.path, undefined, `expected at least one item in suite ${spec.kind}:${spec.path}; it has none`);
    const name = loaded[0]?.suite;
    if (name !== undefined && names.has(name)) throw new ConfigError(`two suites are both named "${name}"`);
    if (name !== undefined) names.add(name);
    items.push(...loaded);
  }
  return items;
}

export type { SuiteItem } from './suite-item.ts';
export type { ColumnMapping } from './generic-suite.ts';
export { loadMappedTable } from './generic-suite.ts';
export { loadAdvBench, loadHarmBench, loadSimpleSafetyTests, loadXSTest } from './published-suites.ts';
export { readTable, type Table, type TableRow } from './table-file.ts';
export { loadWorldSuite, WORLD_SUITE_SETS } from './world-suite.ts';
export { CATEGORY_IDS, CATEGORY_DESCRIPTIONS, toCategory, type CategoryId } from './taxonomy.ts';
