/**
 * The one way hhrl draws a chart: a Vega-Lite spec, compiled and rendered to a static SVG string on the server by
 * Vega's headless view (`View.toSVG()`), so a report page needs no JavaScript and fetches nothing when it is opened.
 * Vega escapes every string it writes into the SVG (text marks, axis labels, aria labels), so model output and names
 * from input files can be chart data. The view gets a loader that refuses every load: a chart draws only the
 * values its spec carries, never a URL or a file.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** A chart: a Vega-Lite spec with its data inline (`data: { values: [...] }`). */
export type ChartSpec = TopLevelSpec;

/** Refuse to read anything: the spec's inline values are all a chart may show. */
function refuse(what: string): Promise<never> {
  return Promise.reject(new Error(`hhrl charts read no ${what}; put the values in the spec`));
}

/** A Vega loader that loads nothing (no network, no files). */
const NO_LOADER: vega.Loader = {
  load: (uri) => refuse(`URL or file (${uri})`),
  sanitize: (uri) => refuse(`URL (${uri})`),
  http: (uri) => refuse(`URL (${uri})`),
  file: (name) => refuse(`file (${name})`),
};

/** Look shared by every chart of a report. */
const CONFIG = {
  font: 'system-ui, sans-serif',
  axis: { labelFontSize: 10, titleFontSize: 11 },
  legend: { labelFontSize: 10, titleFontSize: 11 },
  title: { fontSize: 12, anchor: 'start' },
} as const;

/**
 * Render a Vega-Lite spec to a standalone `<svg>` string (no scripts, no external references).
 * @example
 * await renderChart({ data: { values: [{ x: 1, y: 2 }] }, mark: 'point', encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } } })
 * // '<svg xmlns="http://www.w3.org/2000/svg" … class="marks" width="…" …>…</svg>'
 */
export async function renderChart(spec: ChartSpec): Promise<string> {
  const compiled = compile({ ...spec, config: { ...CONFIG, ...spec.config } } as ChartSpec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', loader: NO_LOADER });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
