/**
 * Readers for published sets of real model replies with reference labels, the material graders are measured on:
 * - XSTest v2 completions (Röttger et al. 2024, NAACL; github paul-rottger/exaggerated-safety): one CSV per model
 *   with columns `id,type,prompt,completion,…,final_label` (the human label) and, beside it, a CSV of the paper's
 *   automated labels (`id,strmatch_label,gpt4_label`);
 * - JailbreakBench artifacts (Chao et al. 2024, NeurIPS D&B; github JailbreakBench/artifacts): one JSON per method
 *   and target model, `{"jailbreaks":[{index,goal,behavior,category,prompt,response,jailbroken,
 *   jailbroken_llama_guard1}]}`, where `jailbroken` is the benchmark's own LLM judge.
 * Malformed input is a `DataFormatError` naming the file (and line for CSV).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { DataFormatError } from '../../spec/errors.ts';
import type { RefusalLabel } from '../../spec/grader.ts';
import { readTable, requireColumns } from '../suites/table-file.ts';

/** One XSTest completion with its human label and the paper's automated labels (when found). */
export interface XSTestReply {
  /** The model whose completion it is, from the file name (`xstest_v2_completions_<model>.csv`). */
  readonly model: string;
  readonly id: string;
  /** XSTest prompt type, e.g. `homonyms`, `contrast_homonyms`. */
  readonly type: string;
  /** True for XSTest's 250 safe prompts (types without the `contrast_` prefix). */
  readonly safePrompt: boolean;
  readonly prompt: string;
  readonly response: string;
  readonly human: RefusalLabel;
  /**
   * The paper's string matcher and GPT-4 judge on the same row; absent when the labels file is missing, null
   * where the published file holds no label (a few GPT-4 cells hold the judge's unparsed text instead).
   */
  readonly anchors: XSTestAnchors;
}

/** The automated labels XSTest published beside the human ones. */
export interface XSTestAnchors {
  readonly strmatch?: RefusalLabel | null;
  readonly gpt4?: RefusalLabel | null;
}

/** One judged JailbreakBench reply. */
export interface JailbreakReply {
  /** `PAIR`, `GCG`, … (the method folder). */
  readonly method: string;
  /** The target model (the file's base name). */
  readonly model: string;
  readonly index: number;
  readonly goal: string;
  readonly behavior: string;
  readonly category: string;
  readonly prompt: string;
  readonly response: string;
  /** The benchmark judge's verdict. */
  readonly jailbroken: boolean;
  /** Llama Guard 1 on the same reply; null when the artifact has none. */
  readonly llamaGuard: boolean | null;
}

const XSTEST_LABELS: Readonly<Record<string, RefusalLabel>> = {
  '1_full_compliance': 'full_compliance',
  '2_full_refusal': 'full_refusal',
  '3_partial_refusal': 'partial_refusal',
};

function xstestLabel(file: string, line: number, column: string, value: string | undefined): RefusalLabel {
  const label = value === undefined ? undefined : XSTEST_LABELS[value.trim()];
  if (label === undefined) throw new DataFormatError(file, line, `expected ${column} to be one of ${Object.keys(XSTEST_LABELS).join(', ')}, got ${JSON.stringify(value)}`);
  return label;
}

/**
 * Read an automated-labels file. The published mistralinstruct file has unquoted commas in a few GPT-4 cells
 * (the judge's text, not a label), so rows may have more than three fields; such a cell is recorded as null.
 */
function readXSTestAnchors(file: string): Map<string, XSTestAnchors> {
  let records: string[][];
  try {
    records = parse(readFileSync(file, 'utf8'), { bom: true, relax_column_count: true, skip_empty_lines: true }) as string[][];
  } catch (error) {
    throw new DataFormatError(file, (error as { lines?: number }).lines, `expected CSV: ${(error as Error).message}`, { cause: error });
  }
  const header = records[0] ?? [];
  if (header.join(',') !== 'id,strmatch_label,gpt4_label') throw new DataFormatError(file, 1, `expected the header id,strmatch_label,gpt4_label, got ${header.join(',')}`);
  const anchors = new Map<string, XSTestAnchors>();
  for (const [id, strmatch, gpt4] of records.slice(1)) {
    anchors.set(id, { strmatch: XSTEST_LABELS[strmatch?.trim() ?? ''] ?? null, gpt4: XSTEST_LABELS[gpt4?.trim() ?? ''] ?? null });
  }
  return anchors;
}

/** Read one model's XSTest completions (and its automated labels file when it lies beside it). */
export function readXSTestCompletions(file: string): XSTestReply[] {
  const model = /xstest_v2_completions_(.+)\.csv$/.exec(basename(file))?.[1];
  if (model === undefined) throw new DataFormatError(file, undefined, 'expected a file named xstest_v2_completions_<model>.csv');
  const table = readTable(file, 'csv');
  requireColumns(table, ['id', 'type', 'prompt', 'completion', 'final_label']);
  const anchorFile = join(file, '..', `xstest_v2_${model}_automated_labels.csv`);
  const anchors = existsSync(anchorFile) ? readXSTestAnchors(anchorFile) : new Map<string, XSTestAnchors>();
  return table.rows.map((row) => {
    const type = row.fields.type.trim();
    return {
      model,
      id: row.fields.id,
      type,
      safePrompt: !type.startsWith('contrast_'),
      prompt: row.fields.prompt,
      response: row.fields.completion ?? '',
      human: xstestLabel(file, row.line, 'final_label', row.fields.final_label),
      anchors: anchors.get(row.fields.id) ?? {},
    };
  });
}

/** Every `xstest_v2_completions_*.csv` in `dir`, in name order. */
export function readXSTestFolder(dir: string): XSTestReply[] {
  return readdirSync(dir)
    .filter((name) => /^xstest_v2_completions_.+\.csv$/.test(name))
    .sort()
    .flatMap((name) => readXSTestCompletions(join(dir, name)));
}

function field<T>(file: string, record: Record<string, unknown>, key: string, check: (value: unknown) => value is T, expected: string): T {
  const value = record[key];
  if (!check(value)) throw new DataFormatError(file, undefined, `jailbreak #${String(record.index)}: expected "${key}" to be ${expected}, got ${JSON.stringify(value)}`);
  return value;
}

const isString = (value: unknown): value is string => typeof value === 'string';
const isNumber = (value: unknown): value is number => typeof value === 'number';

/** Read one JailbreakBench artifact; rows with a null response or a null verdict are not judged and are skipped. */
export function readJailbreakArtifact(file: string, method: string): JailbreakReply[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new DataFormatError(file, undefined, `expected a JailbreakBench artifact (JSON): ${(error as Error).message}`, { cause: error });
  }
  const jailbreaks = (parsed as { jailbreaks?: unknown } | null)?.jailbreaks;
  if (!Array.isArray(jailbreaks)) throw new DataFormatError(file, undefined, 'expected an object with a "jailbreaks" array');
  const model = basename(file).replace(/\.json$/, '');
  const rows: JailbreakReply[] = [];
  for (const record of jailbreaks as Record<string, unknown>[]) {
    if (record.response === null || record.jailbroken === null || record.jailbroken === undefined) continue;
    const guard = record.jailbroken_llama_guard1;
    rows.push({
      method,
      model,
      index: field(file, record, 'index', isNumber, 'a number'),
      goal: field(file, record, 'goal', isString, 'a string'),
      behavior: field(file, record, 'behavior', isString, 'a string'),
      category: field(file, record, 'category', isString, 'a string'),
      prompt: typeof record.prompt === 'string' ? record.prompt : '',
      response: field(file, record, 'response', isString, 'a string'),
      jailbroken: field(file, record, 'jailbroken', (value): value is boolean => typeof value === 'boolean', 'true or false'),
      llamaGuard: typeof guard === 'boolean' ? guard : null,
    });
  }
  return rows;
}

/** Every `<method>/<setting>/<model>.json` under a JailbreakBench artifacts folder, in name order. */
export function readJailbreakFolder(dir: string): JailbreakReply[] {
  const rows: JailbreakReply[] = [];
  for (const method of readdirSync(dir, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort()) {
    for (const setting of readdirSync(join(dir, method), { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort()) {
      for (const name of readdirSync(join(dir, method, setting)).filter((entry) => entry.endsWith('.json')).sort()) {
        rows.push(...readJailbreakArtifact(join(dir, method, setting, name), method));
      }
    }
  }
  return rows;
}
