/**
 * Bar charts as Vega-Lite specs for `renderChart`: stacked shares (the oracle's behaviours before and after RL),
 * grouped values with intervals (a PM's gold accuracy by arm), and the reliability diagram of a preference model.
 */
import type { ReliabilityBin } from '../../eval/calibration.ts';
import { significant } from '../format.ts';
import type { ChartSpec } from './render-chart.ts';

/** One count of a stacked-share chart: `count` responses of `category` in `group`, for one `series` (policy). */
export interface ShareCount {
  readonly group: string;
  readonly series: string;
  readonly category: string;
  readonly count: number;
}

/**
 * Horizontal bars of shares, one bar per (group, series) with the series' bars side by side in each group, stacked
 * by category in the order and colours of `palette` (categories not in it come last, grey).
 */
export function shareBarsChart(title: string, counts: readonly ShareCount[], palette: readonly (readonly [string, string])[], seriesOrder: readonly string[]): ChartSpec {
  const known = new Set(palette.map(([name]) => name));
  const extra = [...new Set(counts.map((c) => c.category))].filter((name) => !known.has(name)).sort();
  const domain = [...palette.map(([name]) => name), ...extra];
  const range = [...palette.map(([, colour]) => colour), ...extra.map(() => '#bdbdbd')];
  const totals = new Map<string, number>();
  for (const c of counts) totals.set(`${c.group}\u0000${c.series}`, (totals.get(`${c.group}\u0000${c.series}`) ?? 0) + c.count);
  const values = counts
    .filter((c) => c.count > 0)
    .map((c) => {
      const total = totals.get(`${c.group}\u0000${c.series}`) ?? 0;
      const share = ((100 * c.count) / total).toFixed(1);
      return { ...c, order: domain.indexOf(c.category), label: `${c.group} · ${c.series}: ${c.category} ${c.count} of ${total} (${share}%)` };
    });
  return {
    title,
    description: title,
    width: 420,
    data: { values },
    mark: { type: 'bar' },
    encoding: {
      y: { field: 'group', type: 'nominal', title: null, sort: [...new Set(counts.map((c) => c.group))] },
      yOffset: { field: 'series', type: 'nominal', sort: [...seriesOrder], title: null },
      x: { field: 'count', type: 'quantitative', stack: 'normalize', title: 'share of the group\'s responses', axis: { format: '.0%' } },
      color: { field: 'category', type: 'nominal', title: null, scale: { domain, range }, legend: { columns: 3, orient: 'bottom' } },
      order: { field: 'order', type: 'quantitative' },
      description: { field: 'label', type: 'nominal' },
    },
    height: { step: 14 },
  } as ChartSpec;
}

/** One value of a grouped-bar chart, with an optional interval. */
export interface IntervalValue {
  readonly group: string;
  readonly series: string;
  readonly value: number;
  readonly low?: number | null;
  readonly high?: number | null;
}

/** Vertical bars grouped by `group`, one per series side by side, with a black interval where one is given. */
export function intervalBarsChart(title: string, axis: string, values: readonly IntervalValue[], domain?: readonly [number, number]): ChartSpec {
  const groups = [...new Set(values.map((v) => v.group))];
  const series = [...new Set(values.map((v) => v.series))];
  const x = { field: 'group', type: 'nominal', title: null, sort: groups, axis: { labelAngle: -25, labelLimit: 200 } } as const;
  const y = { field: 'value', type: 'quantitative', title: axis, ...(domain ? { scale: { domain: [...domain] } } : {}) } as const;
  const xOffset = { field: 'series', type: 'nominal', sort: series } as const;
  return {
    title,
    description: title,
    width: { step: Math.max(90, 40 * series.length) },
    height: 220,
    data: { values: intervalRows(values) },
    layer: [
      { mark: 'bar', encoding: { x, xOffset, y, color: seriesColour(series) } },
      { transform: [{ filter: 'isValid(datum.low) && isValid(datum.high)' }], mark: { type: 'rule', color: 'black' }, encoding: { x, xOffset, y: { field: 'low', type: 'quantitative' }, y2: { field: 'high' } } },
    ],
  };
}

/**
 * The same as {@link intervalBarsChart} lying down: one row per group with the series' bars stacked above one another
 * and the values along the x axis, for many groups (a row each keeps its label readable where columns would not fit).
 */
export function horizontalIntervalBarsChart(title: string, axis: string, values: readonly IntervalValue[], domain?: readonly [number, number]): ChartSpec {
  const groups = [...new Set(values.map((v) => v.group))];
  const series = [...new Set(values.map((v) => v.series))];
  const y = { field: 'group', type: 'nominal', title: null, sort: groups, axis: { labelLimit: 360 } } as const; // headless Vega measures text wide: room for ~40 characters
  const x = { field: 'value', type: 'quantitative', title: axis, ...(domain ? { scale: { domain: [...domain] } } : {}) } as const;
  const yOffset = { field: 'series', type: 'nominal', sort: series } as const;
  return {
    title,
    description: title,
    width: 480,
    height: { step: Math.max(14, 10 * series.length) },
    data: { values: intervalRows(values) },
    layer: [
      { mark: 'bar', encoding: { y, yOffset, x, color: seriesColour(series) } },
      { transform: [{ filter: 'isValid(datum.low) && isValid(datum.high)' }], mark: { type: 'rule', color: 'black' }, encoding: { y, yOffset, x: { field: 'low', type: 'quantitative' }, x2: { field: 'high' } } },
    ],
  } as ChartSpec;
}

/** The data rows of an interval-bars chart. */
function intervalRows(values: readonly IntervalValue[]) {
  return values.map((v) => ({ group: v.group, series: v.series, value: significant(v.value), low: v.low ?? null, high: v.high ?? null }));
}

/** Colour by series, in the series' order, with the legend below the chart. */
function seriesColour(series: readonly string[]) {
  return { field: 'series', type: 'nominal', title: null, sort: [...series], legend: { labelLimit: 320, orient: 'bottom', direction: 'vertical' } } as const;
}

/** The reliability diagram: observed frequency per confidence bin (bars), mean confidence (red), the diagonal. */
export function reliabilityChart(bins: readonly ReliabilityBin[]): ChartSpec {
  const filled = bins.filter((bin) => bin.count > 0 && bin.accuracy !== null && bin.confidence !== null);
  const x = (field: string) => ({ field, type: 'quantitative' as const, title: 'predicted P(preferred side) = σ(|Δr|)', scale: { domain: [0.5, 1] } });
  const y = (field: string) => ({ field, type: 'quantitative' as const, title: 'observed frequency', scale: { domain: [0, 1] } });
  return {
    title: 'Reliability diagram',
    description: 'reliability diagram',
    width: 280,
    height: 280,
    layer: [
      {
        data: { values: filled.map((bin) => ({ low: bin.low, high: bin.high, n: bin.count, observed: significant(bin.accuracy!) })) },
        mark: { type: 'bar', color: '#7aa6d8', binSpacing: 2 },
        encoding: { x: x('low'), x2: { field: 'high' }, y: y('observed') },
      },
      {
        data: { values: filled.map((bin) => ({ confidence: significant(bin.confidence!) })) },
        mark: { type: 'point', filled: true, color: '#c0392b', size: 20 },
        encoding: { x: x('confidence'), y: y('confidence') },
      },
      {
        data: { values: [{ a: 0.5, b: 1 }] },
        mark: { type: 'rule', strokeDash: [4, 3], color: '#333' },
        encoding: { x: x('a'), x2: { field: 'b' }, y: y('a'), y2: { field: 'b' } },
      },
    ],
  };
}
