/**
 * Preference-model scaling (Bai et al. 2022 §3.2, Fig. 7): PMs of several sizes trained on several amounts of
 * mixed world comparisons, each scored by gold accuracy on the held-out test comparisons of both tasks, and
 * the log-linear fit Acc ≈ a + b·log₁₀ P + c·log₁₀ D by least squares (P = non-embedding parameters,
 * D = training comparisons).
 */
import { loadPairs } from '../../data/specs/preference-pairs.ts';
import { parsePmTrainConfig, type PmTrainConfigInput } from '../../train/preference/pm-config.ts';
import { trainPreferenceModel, type PmProgress } from '../../train/preference/pm-trainer.ts';
import { Random } from '../../util/random.ts';
import { evaluatePreferenceModel } from '../pm-eval.ts';

/** A model shape of the sweep. */
export interface ScalingSize {
  readonly layers: number;
  readonly dModel: number;
  readonly heads: number;
}

/** Default sweep: three shapes about 4× apart in non-embedding parameters, three data sizes 3× apart. */
export const DEFAULT_SCALING = {
  sizes: [
    { layers: 1, dModel: 32, heads: 2 },
    { layers: 2, dModel: 64, heads: 4 },
    { layers: 3, dModel: 96, heads: 4 },
  ],
  dataSizes: [1000, 3000, 9000],
  epochs: 1,
} as const satisfies { sizes: readonly ScalingSize[]; dataSizes: readonly number[]; epochs: number };

/** One trained point of the grid. */
export interface ScalingPoint extends ScalingSize {
  readonly parameters: number;
  /** Parameters outside the token and position embeddings (the paper's P). */
  readonly non_embedding_parameters: number;
  readonly data: number;
  readonly steps: number;
  readonly gold_accuracy: number;
  readonly accuracy: number;
  readonly by_task: Record<string, number | null>;
  readonly seconds: number;
}

/** Least-squares fit Acc ≈ a + b·log₁₀ P + c·log₁₀ D and its R². */
export interface LogLinearFit {
  readonly a: number;
  readonly b: number;
  readonly c: number;
  readonly r2: number;
}

/** The experiment's JSON. */
export interface ScalingResult {
  readonly world: string;
  readonly test_pairs: number;
  readonly grid: readonly ScalingPoint[];
  readonly fit: LogLinearFit;
}

/** Solve the 3×3 normal equations of y ≈ a + b·x₁ + c·x₂. @throws RangeError when the design is singular. */
export function fitLogLinear(points: readonly { parameters: number; data: number; accuracy: number }[]): LogLinearFit {
  const rows = points.map((point) => [1, Math.log10(point.parameters), Math.log10(point.data)]);
  const y = points.map((point) => point.accuracy);
  const m = [0, 1, 2].map((i) => [0, 1, 2].map((j) => rows.reduce((sum, row) => sum + row[i] * row[j], 0)));
  const v = [0, 1, 2].map((i) => rows.reduce((sum, row, k) => sum + row[i] * y[k], 0));
  // Gaussian elimination with partial pivoting on [m | v]
  const a = m.map((row, i) => [...row, v[i]]);
  for (let col = 0; col < 3; col++) {
    const pivot = [col, col + 1, col + 2].filter((r) => r < 3).reduce((best, r) => (Math.abs(a[r][col]) > Math.abs(a[best][col]) ? r : best), col);
    if (Math.abs(a[pivot][col]) < 1e-12) throw new RangeError('fitLogLinear: needs at least two distinct model sizes and two distinct data sizes');
    [a[col], a[pivot]] = [a[pivot], a[col]];
    for (let r = 0; r < 3; r++) {
      if (r === col) continue;
      const factor = a[r][col] / a[col][col];
      for (let k = col; k < 4; k++) a[r][k] -= factor * a[col][k];
    }
  }
  const [c0, c1, c2] = [0, 1, 2].map((i) => a[i][3] / a[i][i]);
  const mean = y.reduce((sum, value) => sum + value, 0) / y.length;
  const residual = rows.reduce((sum, row, k) => sum + (y[k] - (c0 + c1 * row[1] + c2 * row[2])) ** 2, 0);
  const total = y.reduce((sum, value) => sum + (value - mean) ** 2, 0);
  return { a: c0, b: c1, c: c2, r2: total === 0 ? 1 : 1 - residual / total };
}

/**
 * Run the sweep on the world in `worldDir`: each size × data size trains a mixed PM for `epochs` passes over
 * its data (first `data` pairs of a seeded shuffle of the world's train comparisons).
 */
export async function runPmScaling(
  worldDir: string,
  options: {
    sizes?: readonly ScalingSize[];
    dataSizes?: readonly number[];
    epochs?: number;
    config?: PmTrainConfigInput;
    onProgress?: (label: string, progress: PmProgress) => void;
  } = {},
): Promise<ScalingResult> {
  const sizes = options.sizes ?? DEFAULT_SCALING.sizes;
  const dataSizes = options.dataSizes ?? DEFAULT_SCALING.dataSizes;
  const epochs = options.epochs ?? DEFAULT_SCALING.epochs;
  const base = parsePmTrainConfig(options.config ?? {});
  const all = new Random(base.seed).fork('scaling-data').shuffle((await loadPairs([`world:${worldDir}:both:train`])).pairs);
  const test = (await loadPairs([`world:${worldDir}:both:test`])).pairs;
  const grid: ScalingPoint[] = [];
  for (const size of sizes) {
    for (const data of dataSizes) {
      const pairs = all.slice(0, Math.min(data, all.length));
      const steps = Math.max(1, Math.ceil((epochs * pairs.length) / base.batchPairs));
      const config = { ...base, steps, evalEvery: Math.max(1, Math.ceil(steps / 8)), model: { ...base.model, ...size } };
      const label = `${size.layers}×${size.dModel} D=${pairs.length}`;
      const trained = await trainPreferenceModel(config, pairs, { onProgress: (progress) => options.onProgress?.(label, progress) });
      const report = await evaluatePreferenceModel(trained.scorer, test);
      await trained.scorer.release();
      const layout = trained.model.layout;
      const embedding = layout.entry('wte').size + (layout.has('wpe') ? layout.entry('wpe').size : 0);
      grid.push({
        ...size,
        parameters: layout.total,
        non_embedding_parameters: layout.total - embedding,
        data: pairs.length,
        steps,
        gold_accuracy: report.gold_accuracy ?? Number.NaN,
        accuracy: report.accuracy ?? Number.NaN,
        by_task: Object.fromEntries(Object.entries(report.by_task).map(([task, slice]) => [task, slice.gold_accuracy])),
        seconds: trained.summary.seconds,
      });
    }
  }
  const fit = fitLogLinear(grid.map((point) => ({ parameters: point.non_embedding_parameters, data: point.data, accuracy: point.gold_accuracy })));
  return { world: worldDir, test_pairs: test.length, grid, fit };
}
