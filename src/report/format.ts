/**
 * How report pages write numbers: rates as percentages with one decimal, other numbers with fixed digits, and a
 * dash for anything missing (a rate over an empty set is null, not zero).
 */

/** A share as a percentage (`0.125` → `12.5%`); `—` when it is not a number. */
export const percent = (value: unknown): string => (typeof value === 'number' && Number.isFinite(value) ? `${(100 * value).toFixed(1)}%` : '—');

/** A number with `digits` decimals; `—` when it is not a finite number. */
export const fixed = (value: unknown, digits = 3): string => (typeof value === 'number' && Number.isFinite(value) ? value.toFixed(digits) : '—');

/** A share in percentage points rounded to one decimal, as charts plot it (`0.1234` → `12.3`); null stays null. */
export const points = (value: number | null | undefined): number | null => (typeof value === 'number' && Number.isFinite(value) ? Math.round(1000 * value) / 10 : null);

/**
 * A number as charts plot it, to 4 significant digits (finer than a chart can show; it keeps the SVG's labels short):
 * `0.123456` → `0.1235`.
 */
export const significant = (value: number): number => (Number.isFinite(value) && value !== 0 ? Number(value.toPrecision(4)) : value);

/**
 * A mean with its interval (e.g. over seeds), in percent or in signed points: `12.5 [8.1, 16.9]`, `−3.0 [−5.2, −0.8]`;
 * `—` when nothing was measured, no brackets without an interval.
 */
export function meanText(value: { readonly mean: number | null; readonly low: number | null; readonly high: number | null }, signed = false): string {
  const show = (x: number | null) => {
    const p = points(x);
    return p === null ? '—' : signed ? `${p >= 0 ? '+' : '−'}${Math.abs(p).toFixed(1)}` : p.toFixed(1);
  };
  return value.mean === null ? '—' : `${show(value.mean)}${value.low === null ? '' : ` [${show(value.low)}, ${show(value.high)}]`}`;
}
