/**
 * The schemas of a mean with its interval as the experiments' summaries write it (`MeanInterval` and
 * `RateOverSeeds` in `eval/experiments/tax-trend.ts`), shared by the report inputs that read them.
 */
import { z } from 'zod';

const rate = z.number().nullable();

/** A mean with its interval bounds and count (null where nothing, or too little, was measured). */
export const MeanIntervalSchema = z.looseObject({ mean: rate, low: rate, high: rate, n: z.number() });

/** A mean over seeds with each seed's value. */
export const OverSeedsSchema = MeanIntervalSchema.extend({ by_seed: z.array(rate) });
