/**
 * The registry of comparison file formats and per-row format detection.
 */
import { HH_FORMAT } from './hh-format.ts';
import { OPENAI_FORMAT } from './openai-format.ts';
import type { RowFormat, RowFormatId } from './row-format.ts';
import { TRL_FORMAT } from './trl-format.ts';

export type { DecodedRow, RowFormat, RowFormatId } from './row-format.ts';

/** Every row format by id. */
export const ROW_FORMATS = { hh: HH_FORMAT, trl: TRL_FORMAT, openai: OPENAI_FORMAT } as const satisfies Record<RowFormatId, RowFormat>;

/** The format ids, for CLI choices. */
export const ROW_FORMAT_IDS = Object.keys(ROW_FORMATS) as RowFormatId[];

/** The format a parsed row is written in: OpenAI if it has `input`, TRL if it has `prompt`, else HH. */
export function detectRowFormat(row: Record<string, unknown>): RowFormatId {
  if (OPENAI_FORMAT.matches(row)) return 'openai';
  if (TRL_FORMAT.matches(row)) return 'trl';
  return 'hh';
}
