/**
 * The page every hhrl report is: one self-contained HTML file (inline SVG charts and CSS, no scripts, nothing
 * fetched when it is opened) holding one section per rendered input. Titles and sources are escaped here; a
 * section's body is built by its renderer, which escapes every string it takes from the input.
 */
import { escapeHtml } from '../redteam/index.ts';

/** One rendered input: a heading, where it came from, and its HTML (tables, charts, captions). */
export interface ReportSection {
  readonly title: string;
  /** The file or folder it was rendered from (shown under the heading). */
  readonly source: string;
  readonly html: string;
}

const STYLE = [
  'body{font:14px system-ui,sans-serif;margin:2em;max-width:72em;color:#222}',
  'table{border-collapse:collapse;margin:.5em 0 1.5em}',
  'td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}',
  'td:first-child,th:first-child{text-align:left}',
  'figure{margin:1em 0}figcaption{color:#444;max-width:60em;margin-top:.3em}',
  'svg{max-width:100%;height:auto}',
  'section.input{border-top:2px solid #ddd;margin-top:2em}',
  'p.source{color:#666;font-size:12px}',
  'table.samples td{vertical-align:top;text-align:left;max-width:22em}',
  '.sample .text{white-space:pre-wrap;overflow-wrap:anywhere}',
  '.sample .verdict{color:#555;font-size:12px;margin-top:2px}',
].join('');

/**
 * A figure: the chart's SVG with a caption saying what it shows (the caption is HTML the caller built and escaped).
 * Empty when there is no chart.
 */
export function figure(svg: string | null, captionHtml: string): string {
  return svg === null || svg === '' ? '' : `<figure>${svg}<figcaption>${captionHtml}</figcaption></figure>\n`;
}

/**
 * The whole page.
 * @example reportPage('hhrl report', [{ title: 'Frontier', source: 'runs/frontier.json', html: '<p>…</p>' }])
 */
export function reportPage(title: string, sections: readonly ReportSection[]): string {
  const body = sections
    .map((section) => `<section class="input">\n<h1>${escapeHtml(section.title)}</h1>\n<p class="source">from <code>${escapeHtml(section.source)}</code></p>\n${section.html}</section>`)
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head><body>
${body}
</body></html>
`;
}
