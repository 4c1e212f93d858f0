/**
 * Online against static data on several seeds (issue #19 item 6; Bai et al. 2022 §4.5): `hhrl experiment online`
 * on each finished demo (one per world seed), each at equal comparison counts (the extra static data is as large as
 * the online round, task by task), and per PM the mean gold accuracy over seeds with its Student-t interval. The
 * claim — online data teaches the PM more about the policy's own samples than as much static data — is read from the
 * paired difference static + online − static + static on held-out on-policy pairs: it holds when the interval of
 * the mean difference lies above 0, is reversed when below, and is inconclusive otherwise.
 */
import { basename, join } from 'node:path';
import { ConfigError } from '../../spec/errors.ts';
import { ONLINE_ARMS, runOnlineExperiment, type OnlineExperimentConfig, type OnlineExperimentResult, type OnlineProgress } from './online.ts';
import { meanInterval, type MeanInterval } from './tax-trend.ts';

/** Every PM of the experiment, the untouched demo PM first. */
const PMS = ['initial', ...ONLINE_ARMS] as const;

/** One PM's gold accuracy over the seeds. */
export interface SeedsArm {
  readonly template_gold: MeanInterval;
  readonly on_policy_gold: MeanInterval;
}

/** The JSON of `hhrl experiment online` over several demos. */
export interface OnlineSeedsResult {
  readonly kind: 'online-seeds';
  readonly demos: readonly string[];
  /** Each demo's own result, in `demos` order. */
  readonly runs: readonly OnlineExperimentResult[];
  readonly arms: Readonly<Record<(typeof PMS)[number], SeedsArm>>;
  /** Paired per seed: static + online minus static + static (gold accuracy, as a share). */
  readonly online_minus_static: SeedsArm;
  /** Whether online data beat as much static data on the policy's own samples, by the interval of the mean difference. */
  readonly verdict: 'held' | 'reversed' | 'inconclusive';
}

/** The verdict of a mean difference's interval. */
export function verdictOf(difference: MeanInterval): OnlineSeedsResult['verdict'] {
  if (difference.low === null || difference.high === null) return 'inconclusive';
  return difference.low > 0 ? 'held' : difference.high < 0 ? 'reversed' : 'inconclusive';
}

/** A gold accuracy of every run that has one. */
const golds = (runs: readonly OnlineExperimentResult[], pick: (run: OnlineExperimentResult) => number | null) => runs.map(pick).filter((value): value is number => value !== null);

/**
 * The summary over runs (pure: the tested part).
 * @example summarizeOnlineSeeds(['a', 'b', 'c'], runs).verdict // 'held' when every seed's online PM beats its static one by about as much
 */
export function summarizeOnlineSeeds(demos: readonly string[], runs: readonly OnlineExperimentResult[]): OnlineSeedsResult {
  const arms = Object.fromEntries(
    PMS.map((pm) => [pm, { template_gold: meanInterval(golds(runs, (run) => run.arms[pm].template_gold)), on_policy_gold: meanInterval(golds(runs, (run) => run.arms[pm].on_policy_gold)) }]),
  ) as OnlineSeedsResult['arms'];
  const difference = (key: 'template_gold' | 'on_policy_gold') =>
    meanInterval(golds(runs, (run) => (run.arms.static_plus_online[key] === null || run.arms.static_plus_static[key] === null ? null : run.arms.static_plus_online[key]! - run.arms.static_plus_static[key]!)));
  const online_minus_static = { template_gold: difference('template_gold'), on_policy_gold: difference('on_policy_gold') };
  return { kind: 'online-seeds', demos, runs, arms, online_minus_static, verdict: verdictOf(online_minus_static.on_policy_gold) };
}

/**
 * Run the experiment on every demo, each into its own folder under `outDir` (`<index>-<demo folder name>`; a rerun
 * reuses what is there), and summarize over them.
 * @throws ConfigError with fewer than 2 demos or the same demo twice.
 */
export async function runOnlineSeeds(demoDirs: readonly string[], config: Partial<OnlineExperimentConfig>, outDir: string, onProgress: OnlineProgress = () => {}): Promise<OnlineSeedsResult> {
  if (demoDirs.length < 2) throw new ConfigError(`online experiment over seeds: give at least 2 demos (--demo DIR repeated), got ${demoDirs.length}`);
  if (new Set(demoDirs).size !== demoDirs.length) throw new ConfigError(`online experiment over seeds: a demo is given twice (${demoDirs.join(', ')})`);
  const runs: OnlineExperimentResult[] = [];
  for (const [index, demo] of demoDirs.entries()) {
    onProgress('demo', `${index + 1}/${demoDirs.length}: ${demo}`);
    runs.push(await runOnlineExperiment(demo, config, join(outDir, `${index}-${basename(demo.replace(/\/+$/, ''))}`), onProgress));
  }
  return summarizeOnlineSeeds(demoDirs, runs);
}
