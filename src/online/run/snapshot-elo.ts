/**
 * The Elo table of an online run's snapshots: oracle games between their greedy replies to the same held-out
 * prompts (`snapshot-games.ts`), ratings fitted with π₀ at 0 (`elo.ts`), each snapshot's mean score under one PM,
 * and the fitted Elo-per-PM-point slope beside Bai et al. 2022's 400/ln 10 ≈ 174.
 */
import type { RolloutPrompt } from '../../data/specs/prompts.ts';
import { readEvalSamples } from '../../eval/experiments/policy-eval.ts';
import type { PreferenceScorer } from '../../train/preference/pm-scorer.ts';
import { fitElo, fitEloSlope, gapPoints, type EloSlopeFit, type GapPoint, type PairResult } from './elo.ts';
import { snapshotGames } from './snapshot-games.ts';

/** A snapshot and the folder its evaluation kept its replies in (`eval-samples.jsonl`). */
export interface EvaluatedSnapshot {
  readonly id: string;
  readonly evalDir: string;
}

/** The table `online-run.json` keeps under `elo`. */
export interface SnapshotEloTable {
  /** Snapshots in order: π₀ first (the anchor, rated 0), then each round's policy. */
  readonly players: readonly string[];
  readonly ratings: Readonly<Record<string, number>>;
  /** Mean score of each snapshot's replies under `scored_by`'s PM. */
  readonly mean_pm_scores: Readonly<Record<string, number>>;
  readonly scored_by: string;
  readonly games: readonly PairResult[];
  /** Held-out prompts each snapshot replied to (one game per pair of snapshots and prompt). */
  readonly prompts: number;
  readonly prior_draws: number;
  /** Elo gap against PM score gap over every pair of snapshots, fitted through the origin. */
  readonly slope: EloSlopeFit;
  readonly gaps: readonly GapPoint[];
}

/**
 * Rate `snapshots` (the first is the anchor) from oracle games on `prompts`, and fit the PM-gap-to-Elo slope with `pm`.
 * @throws DataFormatError for a malformed `eval-samples.jsonl`.
 */
export async function snapshotElo(
  prompts: readonly RolloutPrompt[],
  snapshots: readonly EvaluatedSnapshot[],
  pm: { readonly scorer: PreferenceScorer; readonly name: string },
  priorDraws: number,
): Promise<SnapshotEloTable> {
  const replies = snapshots.map((snapshot) => ({ id: snapshot.id, replies: new Map(readEvalSamples(snapshot.evalDir).map((sample) => [sample.id, sample.response])) }));
  const games = snapshotGames(prompts, replies);
  const players = snapshots.map((snapshot) => snapshot.id);
  const ratings = fitElo(players, games, { anchor: players[0], priorDraws });
  const meanScores: Record<string, number> = {};
  for (const snapshot of replies) {
    const items = prompts.filter((prompt) => snapshot.replies.has(prompt.id)).map((prompt) => ({ conversation: prompt.conversation, response: snapshot.replies.get(prompt.id)! }));
    const scores = await pm.scorer.scoreResponses(items);
    meanScores[snapshot.id] = scores.reduce((sum, score) => sum + score, 0) / Math.max(1, scores.length);
  }
  const gaps = gapPoints(players, ratings, meanScores);
  return { players, ratings, mean_pm_scores: meanScores, scored_by: pm.name, games, prompts: prompts.length, prior_draws: priorDraws, slope: fitEloSlope(gaps), gaps };
}
