/**
 * The public reference data kept in the repository's top-level `data/` folder (see `data/README.md`): real
 * preference comparisons and red-team suites, MIT or CC-BY-4.0, copied byte for byte with their licences so
 * that a clone alone runs its tests, benchmarks and examples. Paths resolve from this file, not the working
 * directory, so they hold from any cwd.
 * @example
 * loadSuites(parseSuiteSpecs(`xstest:${referenceDataPath('xstest')}`), {}) // 450 XSTest prompts
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One reference set: its file, row count and licence as the folder's README records them. */
export interface ReferenceSet {
  /** The data file, relative to `data/`. */
  readonly file: string;
  /** The licence text shipped with it, relative to `data/`. */
  readonly licenseFile: string;
  readonly license: 'MIT' | 'CC-BY-4.0';
  /** Data rows (comparisons or prompts; a CSV's header is not a row). */
  readonly rows: number;
  /** Who made it and where it was published. */
  readonly attribution: string;
}

/** The repository's `data/` folder, absolute. */
export const REFERENCE_DATA_DIR = fileURLToPath(new URL('../../data/', import.meta.url));

/** Every reference set, keyed by id. */
export const REFERENCE_DATA = {
  hhRlhfDev: {
    file: 'hh-rlhf/harmless-base-test.dev.jsonl.gz',
    licenseFile: 'hh-rlhf/LICENSE',
    license: 'MIT',
    rows: 1800,
    attribution: 'Bai et al. 2022, Anthropic, github.com/anthropics/hh-rlhf (harmless-base/test.jsonl.gz, first 1,800 rows)',
  },
  xstest: {
    file: 'redteam/xstest/xstest_prompts.csv',
    licenseFile: 'redteam/xstest/LICENSE',
    license: 'CC-BY-4.0',
    rows: 450,
    attribution: 'Röttger et al. 2024, XSTest, github.com/paul-rottger/exaggerated-safety',
  },
  harmbench: {
    file: 'redteam/harmbench/harmbench_behaviors_text_val.csv',
    licenseFile: 'redteam/harmbench/LICENSE',
    license: 'MIT',
    rows: 80,
    attribution: 'Mazeika et al. 2024, HarmBench, github.com/centerforaisafety/HarmBench',
  },
  advbench: {
    file: 'redteam/advbench/harmful_behaviors.csv',
    licenseFile: 'redteam/advbench/LICENSE.AttnGCG-fork',
    license: 'MIT',
    rows: 520,
    attribution: 'Zou et al. 2023, AdvBench, github.com/llm-attacks/llm-attacks (file and licence as kept in the AttnGCG fork)',
  },
  simpleSafetyTests: {
    file: 'redteam/simplesafetytests/SimpleSafetyTests.csv',
    licenseFile: 'redteam/simplesafetytests/LICENSE',
    license: 'CC-BY-4.0',
    rows: 100,
    attribution: 'Vidgen et al. 2023, SimpleSafetyTests, github.com/bertiev/SimpleSafetyTests',
  },
} as const satisfies Record<string, ReferenceSet>;

/** A reference set's id. */
export type ReferenceDataId = keyof typeof REFERENCE_DATA;

/** Absolute path of a reference set's data file. */
export function referenceDataPath(id: ReferenceDataId): string {
  return join(REFERENCE_DATA_DIR, REFERENCE_DATA[id].file);
}
