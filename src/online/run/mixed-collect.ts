/**
 * A round's pairs drawn from the current policy and earlier snapshots (Bai et al. 2022 §4.5 compared samples of
 * several snapshots in each online round): a share of the pairs sets a sample of the current policy against one of
 * an earlier snapshot (π₀ and earlier rounds' policies, evenly), the rest are two samples of the current policy.
 * Each part is one `collectComparisons` call with its own seed; the parts are merged into one round folder.
 */
import { GptModel } from '../../model/gpt-model.ts';
import type { RolloutPrompt } from '../../data/specs/prompts.ts';
import type { ComparisonTask } from '../../spec/comparison.ts';
import { hashString32 } from '../../util/random.ts';
import type { OnlineComparison } from '../../world/index.ts';
import { collectComparisons, collectRoundOnce, type CollectStats } from '../collect.ts';
import type { PairLabeler } from '../pair-labeler.ts';

/** A policy snapshot: its id (saved with each comparison) and its checkpoint folder. */
export interface Snapshot {
  readonly id: string;
  readonly checkpoint: string;
}

/** Settings of a mixed collection. */
export interface MixedCollectSettings {
  readonly pairs: number;
  /** Share of the pairs against earlier snapshots (0 when there are none). */
  readonly earlierShare: number;
  readonly seed: number;
  readonly round: number;
  readonly maxNewTokens: number;
}

/**
 * How many pairs each partner gets: `null` (a second sample of the current policy) and each earlier snapshot, the
 * earlier share split evenly with the remainder going to the most recent snapshots.
 * @example partnerCounts(10, 0.5, ['sft', 'round-0']) // [[null, 5], ['sft', 2], ['round-0', 3]]
 */
export function partnerCounts(pairs: number, earlierShare: number, earlier: readonly string[]): [string | null, number][] {
  const againstEarlier = earlier.length === 0 ? 0 : Math.round(pairs * earlierShare);
  const base = Math.floor(againstEarlier / Math.max(1, earlier.length));
  const extra = againstEarlier - base * earlier.length;
  return [[null, pairs - againstEarlier], ...earlier.map((id, index): [string, number] => [id, base + (index >= earlier.length - extra ? 1 : 0)])];
}

/** The counts of merged parts, the gold agreement recounted from the kept comparisons. */
function mergeStats(parts: readonly CollectStats[], comparisons: readonly OnlineComparison[]): CollectStats {
  const sum = (key: 'prompts' | 'comparisons' | 'identical' | 'multiTurn' | 'goldTies') => parts.reduce((total, part) => total + part[key], 0);
  const decided = comparisons.filter((comparison) => comparison.meta.gold !== 'tie');
  const byTask: Record<ComparisonTask, number> = { helpful: 0, harmless: 0 };
  for (const part of parts) for (const task of Object.keys(byTask) as ComparisonTask[]) byTask[task] += part.byTask[task];
  const unlabelled = { error: 0, inconsistent: 0 };
  for (const part of parts) for (const reason of Object.keys(unlabelled) as (keyof typeof unlabelled)[]) unlabelled[reason] += part.unlabelled[reason];
  return {
    prompts: sum('prompts'),
    comparisons: sum('comparisons'),
    identical: sum('identical'),
    multiTurn: sum('multiTurn'),
    goldTies: sum('goldTies'),
    goldAgreement: decided.length === 0 ? null : decided.filter((comparison) => comparison.meta.gold === 'chosen').length / decided.length,
    byTask,
    unlabelled,
    unlabelledExamples: parts.flatMap((part) => part.unlabelledExamples).slice(0, 10),
  };
}

/**
 * Collect the round into `dir` once (a finished round folder is reused): `snapshots` end with the current policy.
 * @example await collectMixedRound('runs/online/rounds/1/collect', snapshots, loadPrompts('world:runs/w'), worldLabeler(world.population()), settings);
 */
export function collectMixedRound(
  dir: string,
  snapshots: readonly Snapshot[],
  pool: readonly RolloutPrompt[],
  labeler: PairLabeler,
  settings: MixedCollectSettings,
): Promise<CollectStats> {
  const current = snapshots[snapshots.length - 1];
  const counts = partnerCounts(settings.pairs, settings.earlierShare, snapshots.slice(0, -1).map((snapshot) => snapshot.id));
  return collectRoundOnce(
    dir,
    async () => {
      const policy = GptModel.load(current.checkpoint).model;
      const parts: CollectStats[] = [];
      const comparisons: OnlineComparison[] = [];
      for (const [partnerId, pairs] of counts) {
        if (pairs === 0) continue;
        const partnerSnapshot = snapshots.find((snapshot) => snapshot.id === partnerId);
        const partner = partnerSnapshot === undefined ? undefined : GptModel.load(partnerSnapshot.checkpoint).model;
        const seed = hashString32(`${settings.seed}:round-${settings.round}:${partnerId ?? 'self'}`);
        const part = await collectComparisons(
          { policy, policyId: current.id, ...(partner === undefined ? {} : { partner, partnerId: partnerSnapshot!.id }) },
          pool,
          labeler,
          { pairs, seed, round: settings.round, maxNewTokens: settings.maxNewTokens },
        );
        await partner?.release();
        parts.push(part.stats);
        comparisons.push(...part.comparisons);
      }
      await policy.release();
      // one numbering for the round (each part numbered its own from 0)
      const numbered = comparisons.map((comparison, index) => ({ ...comparison, meta: { ...comparison.meta, id: `online-r${settings.round}-${String(index).padStart(6, '0')}` } }));
      return { comparisons: numbered, stats: mergeStats(parts, numbered) };
    },
    { policies: snapshots.map((snapshot) => snapshot.id), partners: Object.fromEntries(counts.map(([id, pairs]) => [id ?? current.id, pairs])) },
  );
}
