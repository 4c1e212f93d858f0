/**
 * Loaders for the public red-team suites, reading their CSVs exactly as published:
 * HarmBench (Mazeika et al. 2024), AdvBench (Zou et al. 2023), SimpleSafetyTests (Vidgen et al. 2023) and
 * XSTest (Röttger et al. 2024).
 */
import { DataFormatError } from '../../spec/errors.ts';
import type { SuiteItem } from './suite-item.ts';
import { readTable, requireColumns, type Table, type TableRow } from './table-file.ts';
import { toCategory, type CategoryId } from './taxonomy.ts';

/** Normalise a field's CRLF line breaks (an artifact of the files' line endings) and trim it. */
export function cleanField(value: string | undefined): string {
  return (value ?? '').replace(/\r\n?/g, '\n').trim();
}

/** The field `column` of `row`, failing with file and line when it is empty. */
export function requiredField(table: Table, row: TableRow, column: string): string {
  const value = cleanField(row.fields[column]);
  if (value === '') throw new DataFormatError(table.file, row.line, `expected a non-empty "${column}"`);
  return value;
}

/** The text field `column` of `row` (a prompt): non-empty, and a JSON string in a JSONL file, not a number or object. */
export function requiredText(table: Table, row: TableRow, column: string): string {
  const type = row.jsonTypes?.[column];
  if (type !== undefined) throw new DataFormatError(table.file, row.line, `expected "${column}" to be a JSON string, got a JSON ${type}`);
  return requiredField(table, row, column);
}

/** Fail when two items share an id (ids key results and resume). */
export function checkUniqueIds(file: string, items: readonly SuiteItem[], lines: readonly number[]): void {
  const seen = new Map<string, number>();
  items.forEach((item, index) => {
    const earlier = seen.get(item.id);
    if (earlier !== undefined) {
      throw new DataFormatError(file, lines[index], `expected unique ids, but "${item.id}" is also on line ${earlier}`);
    }
    seen.set(item.id, lines[index]);
  });
}

function build(table: Table, makeItem: (row: TableRow) => SuiteItem): SuiteItem[] {
  const items = table.rows.map(makeItem);
  checkUniqueIds(table.file, items, table.rows.map((row) => row.line));
  return items;
}

/**
 * HarmBench behaviours (`Behavior,FunctionalCategory,SemanticCategory,Tags,ContextString,BehaviorID`).
 * Contextual behaviours are sent as HarmBench does: the context, a `---` line, then the behaviour.
 */
export function loadHarmBench(file: string, suite = 'harmbench'): SuiteItem[] {
  const table = readTable(file, 'csv');
  requireColumns(table, ['Behavior', 'SemanticCategory', 'ContextString', 'BehaviorID']);
  return build(table, (row) => {
    const behavior = requiredField(table, row, 'Behavior');
    const context = cleanField(row.fields.ContextString);
    const original = cleanField(row.fields.SemanticCategory);
    return {
      suite,
      id: requiredField(table, row, 'BehaviorID'),
      prompt: context === '' ? behavior : `${context}\n\n---\n\n${behavior}`,
      category: toCategory(original),
      originalCategory: original,
      expected: 'refuse',
      ...(context === '' ? {} : { context }),
    };
  });
}

/** AdvBench harmful behaviours (`goal,target`): no ids (row numbers are used) and no categories. */
export function loadAdvBench(file: string, suite = 'advbench'): SuiteItem[] {
  const table = readTable(file, 'csv');
  requireColumns(table, ['goal']);
  return build(table, (row) => ({
    suite,
    id: String(row.index),
    prompt: requiredField(table, row, 'goal'),
    category: 'other',
    originalCategory: null,
    expected: 'refuse',
  }));
}

/** SimpleSafetyTests (`id,harm_area,counter,category,prompts_final`); the harm area is the category. */
export function loadSimpleSafetyTests(file: string, suite = 'simplesafetytests'): SuiteItem[] {
  const table = readTable(file, 'csv');
  requireColumns(table, ['id', 'harm_area', 'prompts_final']);
  return build(table, (row) => {
    const original = requiredField(table, row, 'harm_area');
    return {
      suite,
      id: requiredField(table, row, 'id'),
      prompt: requiredField(table, row, 'prompts_final'),
      category: toCategory(original),
      originalCategory: original,
      expected: 'refuse',
    };
  });
}

/** XSTest type → category: privacy and discrimination types by name, drug notes to illegal goods, else violence. */
function xstestCategory(type: string, note: string): CategoryId {
  if (type.includes('privacy')) return 'privacy';
  if (type.includes('discr')) return 'hate_discrimination';
  if (note === 'drugs') return 'illegal_goods';
  return 'violence_weapons';
}

/**
 * XSTest (`id,prompt,type,label,focus,note`): `safe` prompts must be answered (over-refusal is measured on
 * them), `unsafe` contrast prompts refused. The original category is the XSTest type.
 */
export function loadXSTest(file: string, suite = 'xstest'): SuiteItem[] {
  const table = readTable(file, 'csv');
  requireColumns(table, ['id', 'prompt', 'type', 'label']);
  return build(table, (row) => {
    const label = requiredField(table, row, 'label');
    if (label !== 'safe' && label !== 'unsafe') {
      throw new DataFormatError(table.file, row.line, `expected label "safe" or "unsafe", got "${label}"`);
    }
    const type = requiredField(table, row, 'type');
    return {
      suite,
      id: requiredField(table, row, 'id'),
      prompt: requiredField(table, row, 'prompt'),
      category: xstestCategory(type, cleanField(row.fields.note)),
      originalCategory: type,
      expected: label === 'safe' ? 'comply' : 'refuse',
    };
  });
}
