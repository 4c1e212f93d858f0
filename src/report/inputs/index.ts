/**
 * The registry of what `hhrl report` renders, and how a path is recognised as one of them: a folder by the file its
 * kind keeps there (`summary.json` of a demo, `frontier.json` of the frontier experiment), a JSON file by its
 * contents. Add a kind: a file exporting a `ReportInput`, its id in `REPORT_INPUT_KINDS` and a row here.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { DataFormatError } from '../../spec/errors.ts';
import { readJsonFile } from '../../util/json-input.ts';
import { ALIGNMENT_TAX_INPUT } from './alignment-tax-input.ts';
import { CONTAMINATION_INPUT } from './contamination-input.ts';
import { CONTAMINATION_SEEDS_INPUT } from './contamination-seeds-input.ts';
import { DEMO_INPUT } from './demo-input.ts';
import { FRONTIER_INPUT } from './frontier-input.ts';
import { FRONTIER_SEEDS_INPUT } from './frontier-seeds-input.ts';
import { ONLINE_INPUT } from './online-input.ts';
import { ONLINE_SEEDS_INPUT } from './online-seeds-input.ts';
import { ONLINE_RUN_INPUT } from './online-run-input.ts';
import { REDTEAM_DATA_INPUT } from './redteam-data-input.ts';
import type { ReportInput, ReportInputKind, ReportSource } from './report-input.ts';

/** Every kind of input a report renders, in the order they are tried. */
export const REPORT_INPUTS = {
  demo: DEMO_INPUT,
  frontier: FRONTIER_INPUT,
  'frontier-seeds': FRONTIER_SEEDS_INPUT,
  online: ONLINE_INPUT,
  'online-seeds': ONLINE_SEEDS_INPUT,
  'online-run': ONLINE_RUN_INPUT,
  'alignment-tax': ALIGNMENT_TAX_INPUT,
  contamination: CONTAMINATION_INPUT,
  'contamination-seeds': CONTAMINATION_SEEDS_INPUT,
  'redteam-data': REDTEAM_DATA_INPUT,
} as const satisfies Record<ReportInputKind, ReportInput>;

const kinds = () => Object.entries(REPORT_INPUTS) as [ReportInputKind, ReportInput][];

/** What `hhrl report` accepts, in words (for errors and help). */
export function describeReportInputs(): string {
  return kinds().map(([kind, input]) => `${kind}: ${input.description}`).join('; ');
}

/** The keys of a JSON value, for an error that says what was found instead. */
function found(json: unknown): string {
  if (typeof json !== 'object' || json === null) return `a JSON ${json === null ? 'null' : typeof json}`;
  if (Array.isArray(json)) return 'a JSON array';
  const keys = Object.keys(json);
  return `an object with keys ${keys.slice(0, 8).join(', ')}${keys.length > 8 ? ', …' : ''}`;
}

/**
 * Recognise the input at `path` (a folder or a JSON file) and read it.
 * @throws DataFormatError naming the path when it is unreadable, not JSON, or none of the kinds in `REPORT_INPUTS`.
 */
export function resolveReportInput(path: string): { readonly kind: ReportInputKind; readonly source: ReportSource } {
  const expected = `expected one of: ${describeReportInputs()}`;
  if (!existsSync(path)) throw new DataFormatError(path, undefined, `no such file or folder; ${expected}`);
  if (statSync(path).isDirectory()) {
    for (const [kind, input] of kinds()) {
      const file = input.folderFile === null ? null : join(path, input.folderFile);
      if (file === null || !existsSync(file)) continue;
      const json = readJsonFile(file, z.unknown(), input.description);
      if (input.detect(json)) return { kind, source: { path, file, folder: path, json } };
    }
    throw new DataFormatError(path, undefined, `a folder hhrl report does not know (no summary.json of a demo, frontier.json of the frontier experiment, online-run.json of an online run, alignment-tax.json of the alignment-tax experiment, contamination.json of the contamination experiment or redteam-data.json of the red-team-data experiment in it); ${expected}`);
  }
  const json = readJsonFile(path, z.unknown(), 'a JSON result of a hhrl command');
  for (const [kind, input] of kinds()) {
    if (input.detect(json)) return { kind, source: { path, file: path, folder: dirname(path), json } };
  }
  throw new DataFormatError(path, undefined, `not a result hhrl report knows (found ${found(json)}); ${expected}`);
}
