/**
 * Charts of one quantity against another, as Vega-Lite specs for `renderChart`: training curves, points with a
 * fitted curve (PM reward against √KL or KL), labelled points (the helpful–harmless frontier), and means with
 * intervals and fitted lines against a log x (the alignment tax by model size).
 */
import { significant } from '../format.ts';
import type { ChartSpec } from './render-chart.ts';

/** One point of an x–y chart. */
export interface XyPoint {
  readonly x: number;
  readonly y: number;
}

/** The titles of a chart and its axes. */
export interface ChartTitles {
  readonly title: string;
  readonly x: string;
  readonly y: string;
}

const quantitative = (field: string, title: string, extra: Record<string, unknown> = {}) => ({ field, type: 'quantitative', title, ...extra }) as const;

/**
 * A y scale fitted to the data (not from 0) whose tick labels keep only significant digits: a panel whose values are
 * all equal gets a degenerate domain, and the default format then labels it "0.000000" or "100.000000".
 */
const FLAT_SAFE_Y = { scale: { zero: false }, axis: { format: '~r' } } as const;

/**
 * Several curves against one x (e.g. PPO's metrics by iteration), one small panel each with its own y scale.
 * @param series metric name → its points (metrics with no finite point are left out)
 */
export function curvesChart(titles: ChartTitles, series: Readonly<Record<string, readonly XyPoint[]>>, columns = 3): ChartSpec {
  const values = Object.entries(series).flatMap(([metric, points]) => points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y)).map((p) => ({ metric, x: significant(p.x), y: significant(p.y) })));
  return {
    title: titles.title,
    description: titles.title,
    data: { values },
    facet: { field: 'metric', type: 'nominal', title: null, sort: Object.keys(series) },
    columns,
    spec: {
      width: 200,
      height: 120,
      mark: { type: 'line', point: { size: 12 } },
      encoding: { x: quantitative('x', titles.x), y: quantitative('y', titles.y, FLAT_SAFE_Y) },
    },
    resolve: { scale: { y: 'independent' } },
  };
}

/**
 * Points with a fitted curve through them: each point drawn by its group (e.g. first half of PPO, filled; second
 * half, open), the curve dashed. `curve` may be empty (no fit).
 */
export function fitChart(titles: ChartTitles, points: readonly (XyPoint & { readonly group: string })[], curve: readonly XyPoint[], curveLabel: string): ChartSpec {
  return {
    title: titles.title,
    description: titles.title,
    width: 320,
    height: 220,
    layer: [
      {
        data: { values: points.map((p) => ({ x: significant(p.x), y: significant(p.y), group: p.group })) },
        mark: { type: 'point', size: 40 },
        encoding: {
          x: quantitative('x', titles.x),
          y: quantitative('y', titles.y, FLAT_SAFE_Y),
          shape: { field: 'group', type: 'nominal', title: null },
          fill: { field: 'group', type: 'nominal', title: null, scale: { range: ['#2c6fbb', 'transparent'] } },
          stroke: { value: '#2c6fbb' },
        },
      },
      {
        data: { values: curve.map((p) => ({ x: significant(p.x), y: significant(p.y), curve: curveLabel })) },
        mark: { type: 'line', strokeDash: [5, 3], color: '#c0392b' },
        encoding: { x: quantitative('x', titles.x), y: quantitative('y', titles.y), detail: { field: 'curve', type: 'nominal' } },
      },
    ],
  };
}

/** The fixed extent of a plane's two axes. */
export interface PlaneDomain {
  readonly x: readonly [number, number];
  readonly y: readonly [number, number];
}

/** The title and size of a plane of points (the frontier's charts). */
function planeFrame(titles: ChartTitles) {
  return { title: titles.title, description: titles.title, width: 360, height: 280 };
}

/** The x and y encodings of a plane of points, with a fixed extent when one is given. */
function planeAxes(titles: ChartTitles, domain?: PlaneDomain) {
  return {
    x: quantitative('x', titles.x, domain ? { scale: { domain: [...domain.x] } } : {}),
    y: quantitative('y', titles.y, domain ? { scale: { domain: [...domain.y] } } : {}),
  };
}

/**
 * Labelled points (every arm of the frontier): each point described by its label and coordinates, and the labels of
 * points at the same place written once, joined, so they stay legible.
 */
export function labelledPointsChart(titles: ChartTitles, points: readonly (XyPoint & { readonly label: string })[], domain?: PlaneDomain): ChartSpec {
  const { x, y } = planeAxes(titles, domain);
  const values = points.map((p) => ({ x: significant(p.x), y: significant(p.y), label: p.label }));
  const places = new Map<string, { x: number; y: number; labels: string[] }>();
  for (const value of values) {
    const place = places.get(`${value.x},${value.y}`) ?? { x: value.x, y: value.y, labels: [] };
    place.labels.push(value.label);
    places.set(`${value.x},${value.y}`, place);
  }
  return {
    ...planeFrame(titles),
    layer: [
      {
        data: { values: values.map((v) => ({ ...v, description: `${v.label} (${v.x}, ${v.y})` })) },
        mark: { type: 'point', filled: true, size: 60, color: '#2c6fbb' },
        encoding: { x, y, description: { field: 'description', type: 'nominal' } },
      },
      {
        data: { values: [...places.values()].map((place) => ({ x: place.x, y: place.y, label: place.labels.join(', ') })) },
        mark: { type: 'text', align: 'left', dx: 7, dy: -6, fontSize: 10 },
        encoding: { x, y, text: { field: 'label', type: 'nominal' } },
      },
    ],
  };
}

/** One group's value at one x with its interval (null bounds: no interval), e.g. a size's mean change over seeds. */
export interface IntervalPoint extends XyPoint {
  readonly series: string;
  readonly label: string;
  readonly low: number | null;
  readonly high: number | null;
}

/**
 * Means with their intervals against a log-scale x, one colour per series: every raw point (e.g. each seed) faint,
 * each mean a filled point described by its label and coordinates with its interval as a rule, each series' fitted
 * line dashed, and a rule at y = 0.
 */
export function intervalTrendChart(titles: ChartTitles, means: readonly IntervalPoint[], raw: readonly (XyPoint & { readonly series: string })[], fits: readonly (XyPoint & { readonly series: string })[]): ChartSpec {
  const x = quantitative('x', titles.x, { scale: { type: 'log', nice: false, padding: 16 } });
  const y = quantitative('y', titles.y);
  const color = { field: 'series', type: 'nominal', title: null } as const;
  const values = means.map((p) => ({ x: significant(p.x), y: significant(p.y), series: p.series, description: `${p.label} (${significant(p.x)}, ${significant(p.y)})` }));
  const intervals = means.flatMap((p) => (p.low === null || p.high === null ? [] : [{ x: significant(p.x), low: significant(p.low), high: significant(p.high), series: p.series }]));
  return {
    title: titles.title,
    description: titles.title,
    width: 360,
    height: 260,
    layer: [
      { data: { values: [{ y: 0 }] }, mark: { type: 'rule', color: '#9e9e9e' }, encoding: { y: { field: 'y', type: 'quantitative' } } },
      { data: { values: intervals }, mark: { type: 'rule', strokeWidth: 2 }, encoding: { x, y: quantitative('low', titles.y), y2: { field: 'high' }, color } },
      { data: { values: raw.map((p) => ({ x: significant(p.x), y: significant(p.y), series: p.series })) }, mark: { type: 'point', size: 20, opacity: 0.5 }, encoding: { x, y, color } },
      { data: { values: fits.map((p) => ({ x: significant(p.x), y: significant(p.y), series: p.series })) }, mark: { type: 'line', strokeDash: [5, 3] }, encoding: { x, y, color } },
      { data: { values }, mark: { type: 'point', filled: true, size: 70 }, encoding: { x, y, color, description: { field: 'description', type: 'nominal' } } },
    ],
  };
}

/** One point of a series in a panel of {@link seriesCurvesChart}. */
export interface SeriesPoint extends XyPoint {
  /** The panel (one quantity). */
  readonly panel: string;
  /** The line within the panel. */
  readonly series: string;
}

/**
 * Several quantities against one x, one small panel each (with its own y scale), and within a panel one coloured
 * line per series (e.g. each kind of contamination, with and without the flagged annotators). Each point is
 * described as `panel · series: x → y`.
 */
export function seriesCurvesChart(titles: ChartTitles, points: readonly SeriesPoint[], panels: readonly string[], columns = 3): ChartSpec {
  const values = points
    .filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y))
    .map((p) => ({ panel: p.panel, series: p.series, x: significant(p.x), y: significant(p.y), description: `${p.panel} · ${p.series}: ${significant(p.x)} → ${significant(p.y)}` }));
  return {
    title: titles.title,
    description: titles.title,
    data: { values },
    facet: { field: 'panel', type: 'nominal', title: null, sort: [...panels] },
    columns,
    spec: {
      width: 200,
      height: 130,
      mark: { type: 'line', point: { size: 16 } },
      encoding: {
        x: quantitative('x', titles.x),
        y: quantitative('y', titles.y, FLAT_SAFE_Y),
        color: { field: 'series', type: 'nominal', title: null, legend: { labelLimit: 320 } },
        description: { field: 'description', type: 'nominal' },
      },
    },
    resolve: { scale: { y: 'independent' } },
  };
}

/**
 * Groups of points in one plane, one colour (and legend entry) per group: each group's raw points (e.g. each seed)
 * faint and small, its mean filled and described by its group and coordinates. For places where labels written
 * beside the points would collide (the frontier's policies near one another).
 */
export function groupedPointsChart(titles: ChartTitles, means: readonly (XyPoint & { readonly group: string })[], raw: readonly (XyPoint & { readonly group: string })[], domain?: PlaneDomain): ChartSpec {
  const { x, y } = planeAxes(titles, domain);
  const groups = [...new Set(means.map((p) => p.group))];
  const color = { field: 'group', type: 'nominal', title: null, sort: groups, legend: { labelLimit: 240 } } as const;
  const shape = { field: 'group', type: 'nominal', title: null, sort: groups } as const;
  return {
    ...planeFrame(titles),
    layer: [
      { data: { values: raw.map((p) => ({ x: significant(p.x), y: significant(p.y), group: p.group })) }, mark: { type: 'point', size: 24, opacity: 0.45 }, encoding: { x, y, color, shape } },
      {
        data: { values: means.map((p) => ({ x: significant(p.x), y: significant(p.y), group: p.group, description: `${p.group} (${significant(p.x)}, ${significant(p.y)})` })) },
        mark: { type: 'point', filled: true, size: 90 },
        encoding: { x, y, color, shape, description: { field: 'description', type: 'nominal' } },
      },
    ],
  };
}
