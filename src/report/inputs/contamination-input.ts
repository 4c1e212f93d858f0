/**
 * The JSON of `hhrl experiment contamination` (`--json FILE`, or `contamination.json` in its `--out` folder) as a
 * report input, recognised by `"kind": "contamination"`.
 */
import { CONTAMINATION_FILE_EXPECTED, ContaminationFileSchema } from '../../eval/experiments/contamination-file.ts';
import { renderContaminationReport, type ContaminationView } from '../contamination-report.ts';
import { taggedJsonInput, type ReportInput } from './report-input.ts';

/** The contamination experiment as a report input. */
export const CONTAMINATION_INPUT: ReportInput = taggedJsonInput({
  kind: 'contamination',
  description: 'the JSON of hhrl experiment contamination ({"kind": "contamination", …}, or its --out folder holding contamination.json)',
  folderFile: 'contamination.json',
  schema: ContaminationFileSchema,
  expected: CONTAMINATION_FILE_EXPECTED,
  title: 'Contaminated annotators (hhrl experiment contamination)',
  render: (view) => renderContaminationReport(view as unknown as ContaminationView),
});
