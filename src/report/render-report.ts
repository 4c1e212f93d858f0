/**
 * `hhrl report`'s page: every input recognised (`inputs/`), rendered as one section each, on one self-contained page.
 */
import { REPORT_INPUTS, resolveReportInput } from './inputs/index.ts';
import type { ReportInputKind } from './inputs/report-input.ts';
import { reportPage } from './report-page.ts';

/** A rendered report: the page, and what each input was recognised as (in the order given). */
export interface RenderedReport {
  readonly html: string;
  readonly inputs: readonly { readonly path: string; readonly kind: ReportInputKind }[];
}

/**
 * Render the inputs at `paths` (demo folders, experiment JSON files) as one page. Every input is recognised before
 * any is rendered, so a bad path fails fast.
 * @throws DataFormatError naming the first path that is not an input `REPORT_INPUTS` knows, or a malformed file.
 * @example
 * const { html } = await renderReport(['runs/demo', 'runs/frontier.json']);
 */
export async function renderReport(paths: readonly string[], title = 'hhrl report'): Promise<RenderedReport> {
  const resolved = paths.map((path) => resolveReportInput(path));
  const sections = [];
  for (const { kind, source } of resolved) sections.push(await REPORT_INPUTS[kind].render(source));
  return { html: reportPage(title, sections), inputs: resolved.map(({ kind, source }) => ({ path: source.path, kind })) };
}
