/**
 * The JSON of `hhrl experiment frontier` (`--json FILE`, or `frontier.json` in its `--out` folder) as a report
 * input, recognised by `"kind": "frontier"`.
 */
import { FRONTIER_FILE_EXPECTED, FrontierFileSchema } from '../../eval/experiments/frontier-file.ts';
import { renderFrontierReport } from '../frontier-report.ts';
import { taggedJsonInput, type ReportInput } from './report-input.ts';

/** The frontier experiment as a report input. */
export const FRONTIER_INPUT: ReportInput = taggedJsonInput({
  kind: 'frontier',
  description: 'the JSON of hhrl experiment frontier ({"kind": "frontier", …}, or its --out folder holding frontier.json)',
  folderFile: 'frontier.json',
  schema: FrontierFileSchema,
  expected: FRONTIER_FILE_EXPECTED,
  title: 'The helpful–harmless frontier (hhrl experiment frontier)',
  render: renderFrontierReport,
});
