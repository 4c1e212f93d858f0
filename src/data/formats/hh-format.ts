/**
 * HH-RLHF form (Anthropic's released files): `{"chosen": "<transcript>", "rejected": "<transcript>"}`, each a
 * whole transcript `"\n\nHuman: …\n\nAssistant: …"`. Written exactly as the released files are: keys in that
 * order, `": "` and `", "` separators, non-ASCII characters unescaped. A line that differs from that canonical
 * form (other spacing, `\u` escapes, extra keys) is kept as it was and written back unchanged, so exporting an
 * imported file gives its original bytes.
 */
import { transcriptsOf, type ComparisonRecord } from '../comparison-record.ts';
import { stringField } from '../row-problem.ts';
import { hhLine, isCanonicalHhLine } from './hh-line.ts';
import type { RowFormat } from './row-format.ts';

const SHAPE = 'HH form {"chosen","rejected"}';

/** The `hh` row format. */
export const HH_FORMAT: RowFormat = {
  shape: SHAPE,
  matches: (row) => 'chosen' in row && 'rejected' in row,
  decode(row, line) {
    const chosen = stringField(row, 'chosen', SHAPE);
    const rejected = stringField(row, 'rejected', SHAPE);
    const canonical = isCanonicalHhLine(line) || line === hhLine(chosen, rejected);
    return { chosen, rejected, rawLine: canonical ? null : line, lineIsCanonical: canonical };
  },
  encode(record: ComparisonRecord) {
    if (record.rawLine !== null) return record.rawLine;
    const { chosen, rejected } = transcriptsOf(record);
    return hhLine(chosen, rejected);
  },
  encodeAll: (store, filter) => store.hhLines(filter),
};
