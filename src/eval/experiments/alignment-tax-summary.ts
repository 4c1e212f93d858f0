/**
 * What the alignment-tax experiment concludes from its cells, a pure function of their rates: each cell's change
 * from π₀ to PPO, each size's mean change over seeds with a Student-t interval, the least-squares trend of the
 * change against ln(non-embedding parameters) over every cell with the slope's t interval, and whether the paper's
 * expectation held (Bai et al. 2022 §1.2, §5.1: RLHF costs small models helpfulness — an "alignment tax" — and
 * the cost shrinks, even turning into a bonus, as models grow).
 */
import type { GptSize } from '../../model/gpt-config.ts';
import type { FrontierRates } from './frontier-rates.ts';
import { fitLine, meanInterval, type LineFit, type MeanInterval } from './tax-trend.ts';

/** The rates whose change from π₀ to PPO each cell reports (the demo's names). */
export const TAX_RATES = ['answer_rate', 'harm_rate', 'refusal_rate', 'over_refusal', 'well_formed', 'helpfulness'] as const;
/** One of them. */
export type TaxRate = (typeof TAX_RATES)[number];

/** PPO's rate minus π₀'s (null where either is missing). */
export type TaxDeltas = Readonly<Record<TaxRate, number | null>>;

/** What a cell measured: its size and seed, its policy's parameters, π₀'s and PPO's rates. */
export interface TaxCellRates {
  readonly size: GptSize;
  readonly seed: number;
  readonly parameters: number;
  readonly non_embedding_parameters: number;
  readonly sft: FrontierRates;
  readonly ppo: FrontierRates;
}

/** One size over its seeds: the mean change of each rate with its interval, and the mean rates before and after. */
export interface TaxBySize {
  readonly size: GptSize;
  readonly parameters: number;
  readonly non_embedding_parameters: number;
  readonly seeds: readonly number[];
  readonly delta: Readonly<Record<TaxRate, MeanInterval>>;
  readonly sft: Readonly<Record<TaxRate, number | null>>;
  readonly ppo: Readonly<Record<TaxRate, number | null>>;
}

/** Whether the paper's expectation held, from the answer-rate trend's interval. */
export interface TaxExpectation {
  readonly claim: string;
  /** true: the slope's interval lies above 0; false: below 0; null: it holds 0 (or could not be fitted). */
  readonly holds: boolean | null;
  readonly verdict: 'held' | 'reversed' | 'inconclusive';
  /** The finding in one or two plain sentences, with the numbers. */
  readonly statement: string;
}

/** Each cell's change from π₀ to PPO. */
export function cellDeltas(cell: Pick<TaxCellRates, 'sft' | 'ppo'>): TaxDeltas {
  const delta = (key: TaxRate) => {
    const [before, after] = [cell.sft[key], cell.ppo[key]];
    return before === null || after === null ? null : after - before;
  };
  return Object.fromEntries(TAX_RATES.map((key) => [key, delta(key)])) as Record<TaxRate, number | null>;
}

const numbers = (values: readonly (number | null)[]) => values.filter((value): value is number => value !== null);
const mean = (values: readonly (number | null)[]) => meanInterval(numbers(values)).mean;

/** Every size's mean changes over its seeds (sizes in the order given). */
export function bySize(cells: readonly TaxCellRates[], sizes: readonly GptSize[]): TaxBySize[] {
  return sizes.flatMap((size) => {
    const of = cells.filter((cell) => cell.size === size);
    if (of.length === 0) return [];
    const deltas = of.map(cellDeltas);
    const per = <T>(value: (key: TaxRate) => T) => Object.fromEntries(TAX_RATES.map((key) => [key, value(key)])) as Record<TaxRate, T>;
    return [
      {
        size,
        parameters: of[0].parameters,
        non_embedding_parameters: of[0].non_embedding_parameters,
        seeds: of.map((cell) => cell.seed),
        delta: per((key) => meanInterval(numbers(deltas.map((d) => d[key])))),
        sft: per((key) => mean(of.map((cell) => cell.sft[key]))),
        ppo: per((key) => mean(of.map((cell) => cell.ppo[key]))),
      },
    ];
  });
}

/** The trend of one rate's change against ln(non-embedding parameters), every cell a point. */
export function taxTrend(cells: readonly TaxCellRates[], key: TaxRate): LineFit {
  return fitLine(cells.flatMap((cell) => {
    const delta = cellDeltas(cell)[key];
    return delta === null ? [] : [{ x: Math.log(cell.non_embedding_parameters), y: delta }];
  }));
}

const signedPoints = (value: number | null, digits = 1) => (value === null ? '—' : `${value >= 0 ? '+' : ''}${(100 * value).toFixed(digits)}`);

/**
 * The paper's expectation checked on the answer-rate trend: it held when the slope of Δanswer_rate against
 * ln(parameters) is positive with its interval above 0 (the tax shrinks, or the change grows into a bonus, with
 * size); reversed when the interval lies below 0; inconclusive otherwise.
 */
export function checkTaxExpectation(trend: LineFit, sizes: readonly TaxBySize[]): TaxExpectation {
  const claim = 'RLHF\'s cost in correct benign answers (the alignment tax) shrinks, or turns into a bonus, as policy and PM grow';
  const holds = trend.low === null || trend.high === null ? null : trend.low > 0 ? true : trend.high < 0 ? false : null;
  const verdict = holds === null ? 'inconclusive' : holds ? 'held' : 'reversed';
  const perSize = sizes
    .map((size) => {
      const d = size.delta.answer_rate;
      const interval = d.low === null || d.high === null ? 'no interval' : `[${signedPoints(d.low)}, ${signedPoints(d.high)}]`;
      return `${size.size} ${signedPoints(d.mean)} ${interval}`;
    })
    .join('; ');
  const slope =
    trend.slope === null
      ? 'the trend could not be fitted'
      : `the fitted change is ${signedPoints(trend.slope, 2)} points per e-fold of parameters, 95% interval ${trend.low === null || trend.high === null ? 'not defined' : `[${signedPoints(trend.low, 2)}, ${signedPoints(trend.high, 2)}]`} (${trend.n} cells)`;
  const outcome = {
    held: 'The expectation held: the tax shrinks with size.',
    reversed: 'The expectation did not hold: the change in answers falls with size (the tax grows).',
    inconclusive: 'Not shown either way: the slope\'s interval holds 0.',
  }[verdict];
  return { claim, holds, verdict, statement: `${outcome} Change in correct benign answers from π₀ to PPO by size, mean over seeds in points with its t interval: ${perSize}; ${slope}.` };
}
