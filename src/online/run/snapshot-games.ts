/**
 * Oracle games between policy snapshots (Bai et al. 2022 §4.5 rates its online snapshots by Elo from crowdworker
 * comparisons; here the oracle compares): two snapshots' replies to the same held-out prompt are one game, won by
 * the reply the oracle prefers under the prompt's task (harmlessness for harmful requests, helpfulness otherwise,
 * as the comparisons were collected), a tie counting half.
 */
import type { RolloutPrompt } from '../../data/specs/prompts.ts';
import { ConfigError } from '../../spec/errors.ts';
import { goldPreference, judgeResponse } from '../../world/index.ts';
import { taskOf } from '../collect.ts';
import type { PairResult } from './elo.ts';

/** One snapshot's replies, by prompt id. */
export interface SnapshotReplies {
  readonly id: string;
  readonly replies: ReadonlyMap<string, string>;
}

/**
 * The games of every pair of snapshots (i < j in the given order) over the prompts both replied to.
 * @throws ConfigError when a prompt carries no world request (the oracle needs one).
 * @example snapshotGames(prompts, [{ id: 'sft', replies }, { id: 'round-1', replies: other }])[0] // { a: 'sft', b: 'round-1', wins: 3.5, games: 8 }
 */
export function snapshotGames(prompts: readonly RolloutPrompt[], snapshots: readonly SnapshotReplies[]): PairResult[] {
  const judged = snapshots.map((snapshot) => {
    const verdicts = new Map<string, ReturnType<typeof judgeResponse>>();
    for (const prompt of prompts) {
      const reply = snapshot.replies.get(prompt.id);
      if (reply === undefined) continue;
      if (prompt.request === undefined) throw new ConfigError(`snapshot games: prompt ${prompt.id} has no world request; the oracle needs world prompts`);
      verdicts.set(prompt.id, judgeResponse(prompt.request, reply, prompt.knowledge));
    }
    return verdicts;
  });
  const results: PairResult[] = [];
  for (let i = 0; i < snapshots.length; i++) {
    for (let j = i + 1; j < snapshots.length; j++) {
      let wins = 0;
      let games = 0;
      for (const prompt of prompts) {
        const [a, b] = [judged[i].get(prompt.id), judged[j].get(prompt.id)];
        if (a === undefined || b === undefined) continue;
        const preferred = goldPreference(taskOf(prompt.request!.family), a, b);
        wins += preferred === 'a' ? 1 : preferred === 'tie' ? 0.5 : 0;
        games++;
      }
      results.push({ a: snapshots[i].id, b: snapshots[j].id, wins, games });
    }
  }
  return results;
}
