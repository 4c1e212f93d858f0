/**
 * The red-team run folder: what may be written into it and when a saved run may be continued. A fresh run only
 * writes into a new or empty folder; `--resume` only continues a folder that a `redteam run` wrote, and only when
 * every setting that changes results is what it was — otherwise the resumed half would be another experiment
 * glued onto the first. Every check here reads only: it runs before anything is renamed, overwritten or deleted.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../../spec/errors.ts';
import type { SuiteItem } from '../suites/suite-item.ts';
import { RUN_LOCK_FILE } from './run-lock.ts';

/** The `command` field that marks a folder as a red-team run. */
export const RUN_COMMAND = 'redteam run';

/** `config.json` of a run: what it was run with, compared field by field on resume. */
export const RunConfigSchema = z.object({
  command: z.literal(RUN_COMMAND).describe('marks the folder as a red-team run'),
  target: z.string().describe('target id (model and endpoint, or checkpoint path)'),
  suites: z.array(z.string()).describe('suite specs as given'),
  strategies: z.array(z.string()).describe('strategy ids'),
  grader: z.string().describe('id of the main grader'),
  seed: z.number().describe('seed of strategy wording'),
  max_turns: z.number().describe('turn limit of multi-turn strategies'),
  items_sha256: z.string().describe('sha256 of the planned items (suite, id, prompt, category, expectation, context) in order'),
  settings: z.record(z.string(), z.unknown()).describe('caller-given settings that change results, by flag name; null when left at default'),
  concurrency: z.number().describe('attempts in flight (does not change results)'),
});

/** A parsed `config.json`. */
export type RunConfig = z.infer<typeof RunConfigSchema>;

/** How each compared field is named in a refusal, in the order they are checked. */
const COMPARED: readonly (readonly [keyof RunConfig, string])[] = [
  ['target', '--target'],
  ['suites', '--suite'],
  ['strategies', '--strategies'],
  ['grader', 'the main grader'],
  ['seed', '--seed'],
  ['max_turns', '--max-turns'],
];

/** sha256 of the items a run plans, so an edited suite file or other `--limit` is seen on resume. */
export function itemsDigest(items: readonly SuiteItem[]): string {
  const hash = createHash('sha256');
  for (const item of items) hash.update(JSON.stringify([item.suite, item.id, item.prompt, item.category, item.expected, item.context ?? null])).update('\n');
  return hash.digest('hex');
}

/** Entries of `folder` that are not the lock or a temp file of an interrupted atomic write. */
function contents(folder: string): string[] {
  return readdirSync(folder).filter((name) => name !== RUN_LOCK_FILE && !/^\..*\.tmp$/.test(name));
}

function readConfig(path: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(readFileSync(path, 'utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Decide what `outDir` is before touching it: `'fresh'` (missing or empty: start a run) or `'resume'` (a red-team
 * run folder, continued with `resume`). Anything else — a file, a checkpoint, a world, any non-empty folder, or a
 * run without `resume` — is a `ConfigError`.
 */
export function inspectRunFolder(outDir: string, resume: boolean): 'fresh' | 'resume' {
  if (!existsSync(outDir)) return 'fresh';
  if (!statSync(outDir).isDirectory()) throw new ConfigError(`--out ${outDir} is a file, not a run folder`);
  const entries = contents(outDir);
  if (entries.length === 0) return 'fresh';
  const config = readConfig(join(outDir, 'config.json'));
  if (config?.command !== RUN_COMMAND) {
    const shown = entries.slice(0, 5).join(', ') + (entries.length > 5 ? ', …' : '');
    throw new ConfigError(`--out ${outDir} is not empty and is not a redteam run folder (it holds ${shown}); choose a new or empty folder`);
  }
  if (!resume) throw new ConfigError(`--out ${outDir} holds a redteam run already; pass --resume to continue it, or choose another --out`);
  return 'resume';
}

/** Fail with a `ConfigError` naming every setting of `config` that differs from the run saved in `path`. */
export function checkResumable(path: string, config: RunConfig): void {
  const saved = readConfig(path) ?? {};
  const show = (value: unknown) => (value === undefined ? 'not recorded' : JSON.stringify(value));
  const changed: string[] = [];
  for (const [field, flag] of COMPARED) {
    if (JSON.stringify(saved[field]) !== JSON.stringify(config[field])) changed.push(`${flag} was ${show(saved[field])}, now ${show(config[field])}`);
  }
  const savedSettings = (typeof saved.settings === 'object' && saved.settings !== null ? saved.settings : {}) as Record<string, unknown>;
  for (const name of new Set([...Object.keys(savedSettings), ...Object.keys(config.settings)])) {
    if (JSON.stringify(savedSettings[name]) !== JSON.stringify(config.settings[name])) {
      changed.push(`${name} was ${show(savedSettings[name])}, now ${show(config.settings[name])}`);
    }
  }
  if (changed.length === 0 && saved.items_sha256 !== config.items_sha256) {
    changed.push('the suite items differ (a suite file was edited, or --limit or a column flag changed)');
  }
  if (changed.length > 0) throw new ConfigError(`cannot resume ${path}: ${changed.join('; ')}`);
}
