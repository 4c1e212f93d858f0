/**
 * `hhrl online run` end to end at toy sizes on a small world: round 0 trains a PM on the static comparisons and PPO
 * from π₀; each online round collects pairs from the current policy and earlier snapshots, continues the PM on every
 * comparison so far and PPO from the previous round's policy (KL against π₀). A run killed inside a round's PPO
 * resumes at that stage, a rerun over the finished folders trains nothing, and the Elo table is the fit of the oracle
 * games it lists; `hhrl report` charts its Elo and rates by round. What the rounds achieve is measured at quick and full size (README), not here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fitElo } from '../../src/online/run/elo.ts';
import { runOnlineRun, type OnlineRunResult } from '../../src/online/run/online-run.ts';
import { points, significant } from '../../src/report/format.ts';
import { renderReport } from '../../src/report/render-report.ts';
import { DataFormatError } from '../../src/spec/errors.ts';
import { TrainingAborted } from '../../src/train/common/training-aborted.ts';
import { RunFolder } from '../../src/train/run-folder.ts';
import { readRound } from '../../src/world/index.ts';
import { TOY_STAGES, toyWorld } from '../eval/toy-experiment.ts';

const { root, worldDir } = toyWorld('hhrl-online-run-');

const CONFIG = {
  ...TOY_STAGES,
  rounds: 2,
  ppoLearningRate: 3e-3, // moves the toy policy away from π₀, so a continued round starts at a KL above 0
  roundPairs: 12,
  heldOutPairs: 8,
  roundPmSteps: 4,
  roundPpoSteps: 2,
  threads: 1,
} as const;

const trainRows = (ppoDir: string) => new RunFolder(ppoDir).metricRows().filter((row) => row.kind === 'train');
const mtime = (path: string) => statSync(path).mtimeMs;

test('online run: rounds grow the data, continue the PM and the policy, resume after a kill, rerun trains nothing', async () => {
  const dir = join(root, 'run');
  const round = (r: number, ...rest: string[]) => join(dir, 'rounds', String(r), ...rest);
  // 1) killed at the start of round 1's PPO (after its pairs and PM are done)
  const controller = new AbortController();
  const stages: string[] = [];
  const onProgress = (stage: string) => {
    if (!stages.includes(stage)) stages.push(stage);
    if (stage === 'round 1 ppo') controller.abort();
  };
  await assert.rejects(runOnlineRun(worldDir, CONFIG, dir, { signal: controller.signal, onProgress }), TrainingAborted);
  assert.deepEqual(stages, ['lm', 'sft', 'round 0 pm', 'round 0 ppo', 'round 1 pm', 'round 1 ppo']);
  assert.ok(existsSync(round(0, 'round.json')) && !existsSync(round(1, 'round.json')), 'round 0 finished, round 1 not');
  const kept = { collect: mtime(round(1, 'collect', 'collect.json')), pm: mtime(round(1, 'pm', 'summary.json')), round0: mtime(round(0, 'round.json')) };

  // 2) resumed: round 1 goes on at its PPO, round 2 runs
  const resumedStages: string[] = [];
  const result = await runOnlineRun(worldDir, CONFIG, dir, { onProgress: (stage) => resumedStages.includes(stage) || resumedStages.push(stage) });
  assert.deepEqual(resumedStages, ['round 1 ppo', 'round 2 pm', 'round 2 ppo']);
  assert.deepEqual(kept, { collect: mtime(round(1, 'collect', 'collect.json')), pm: mtime(round(1, 'pm', 'summary.json')), round0: mtime(round(0, 'round.json')) });
  assert.equal(trainRows(round(1, 'ppo')).length, 2, 'round 1 PPO ran its 2 iterations once each');
  assert.equal(result.kind, 'online-run');
  assert.equal(result.rounds_done, 2);
  assert.deepEqual(result.rounds.map((r) => r.snapshot), ['round-0', 'round-1', 'round-2']);

  // the data grows: static, + round 1's pairs, + round 2's; each PM trained on all of it
  const [r0, r1, r2] = result.rounds;
  assert.equal(r0.collected, null);
  assert.equal(r0.online_pairs, 0);
  assert.ok(r1.collected !== null && r1.collected.comparisons > 0 && r2.collected !== null && r2.collected.comparisons > 0);
  assert.equal(r1.online_pairs, r1.collected.comparisons);
  assert.equal(r2.online_pairs, r1.collected.comparisons + r2.collected.comparisons);
  assert.equal(r1.train_pairs, r0.train_pairs + r1.online_pairs);
  assert.equal(r2.train_pairs, r0.train_pairs + r2.online_pairs);
  for (const r of result.rounds) {
    const summary = JSON.parse(readFileSync(round(r.round, 'pm', 'summary.json'), 'utf8')) as { trainPairs: number; validationPairs: number; stepsRun: number };
    assert.equal(summary.trainPairs + summary.validationPairs, r.train_pairs, `round ${r.round}: the PM saw every comparison so far`);
    assert.equal(r.pm.steps_run, r.round === 0 ? 10 : 4);
    for (const set of [r.pm.templated, r.pm.on_policy]) assert.ok(set.n > 0 && set.accuracy !== null && set.accuracy >= 0 && set.accuracy <= 1, `round ${r.round} PM accuracy`);
  }
  assert.equal(r1.pm.init, round(0, 'pm'));
  assert.equal(r2.pm.init, round(1, 'pm'));

  // round 2 mixes snapshots: pairs of the current policy with itself and with π₀, round 0's policy
  const partners = JSON.parse(readFileSync(round(2, 'collect', 'collect.json'), 'utf8')) as { partners: Record<string, number> };
  assert.deepEqual(partners.partners, { 'round-1': 6, sft: 3, 'round-0': 3 });
  const policies = new Set(readRound(round(2, 'collect')).flatMap((row) => [row.meta.policies.chosen, row.meta.policies.rejected]));
  assert.ok(policies.has('round-1') && [...policies].every((id) => ['sft', 'round-0', 'round-1'].includes(id)), [...policies].join(', '));

  // PPO continues: round 0 from π₀ (KL 0 at its first rollout), rounds 1 and 2 from the previous round's policy
  for (const [r, init] of [[1, round(0, 'ppo')], [2, round(1, 'ppo')]] as const) {
    const saved = JSON.parse(readFileSync(round(r, 'ppo', 'config.json'), 'utf8')) as { inputs: { policy: string; init: string } };
    assert.equal(saved.inputs.init, init);
    assert.equal(saved.inputs.policy, join(dir, 'sft'), 'KL stays against π₀');
  }
  const firstKl = (r: number) => trainRows(round(r, 'ppo'))[0].kl as number;
  assert.ok(Math.abs(firstKl(0)) < 1e-4, `round 0 starts at π₀: KL ${firstKl(0)}`);
  assert.ok(firstKl(1) > 1e-3, `round 1 starts where round 0 ended: KL ${firstKl(1)}`);

  // rates for every snapshot; the Elo table is the fit of the games it lists
  for (const rates of [result.sft.rates, ...result.rounds.map((r) => r.rates)]) {
    for (const key of ['answer_rate', 'refusal_rate', 'harm_rate', 'over_refusal', 'off_topic_rate', 'well_formed'] as const) {
      assert.ok(rates[key] === null || (rates[key]! >= 0 && rates[key]! <= 1), `${key} = ${rates[key]}`);
    }
    assert.equal(rates.prompts, result.eval_prompts);
  }
  assert.deepEqual(result.elo.players, ['sft', 'round-0', 'round-1', 'round-2']);
  assert.equal(result.elo.games.length, 6, 'every pair of 4 snapshots');
  assert.ok(result.elo.games.every((game) => game.games === result.eval_prompts && game.wins >= 0 && game.wins <= game.games));
  assert.deepEqual(result.elo.ratings, fitElo(result.elo.players, result.elo.games, { anchor: 'sft', priorDraws: 1 }));
  assert.equal(result.sft.elo, 0);
  assert.equal(result.elo.gaps.length, 6);
  assert.equal(result.elo.slope.pairs, 6);
  assert.ok(Math.abs(result.elo.slope.paper_slope - 173.7178) < 1e-3);
  assert.equal(result.elo.scored_by, round(2, 'pm'));

  // 3) a rerun over the finished folders trains nothing and gives the same JSON
  const before = { pm: mtime(round(2, 'pm', 'summary.json')), eval: mtime(round(2, 'eval', 'eval.json')), ppo: trainRows(round(2, 'ppo')).length };
  const rerunStages: string[] = [];
  const again = await runOnlineRun(worldDir, CONFIG, dir, { onProgress: (stage) => rerunStages.push(stage) });
  assert.deepEqual(rerunStages, []);
  assert.deepEqual({ pm: mtime(round(2, 'pm', 'summary.json')), eval: mtime(round(2, 'eval', 'eval.json')), ppo: trainRows(round(2, 'ppo')).length }, before);
  assert.deepEqual({ ...again, minutes: 0, stage_minutes: {} }, { ...result, minutes: 0, stage_minutes: {} });
  assert.deepEqual(JSON.parse(readFileSync(join(dir, 'online-run.json'), 'utf8')).elo.ratings, again.elo.ratings);

  // other settings on the same folder, and a judge without its endpoint, are refused before anything trains
  await assert.rejects(runOnlineRun(worldDir, { ...CONFIG, roundPairs: 20 }, dir), /started with other settings \(roundPairs\)/);
  await assert.rejects(runOnlineRun(worldDir, CONFIG, join(root, 'judge'), { labeler: 'judge:openai:gpt-4o' }), /needs --judge-base-url/);
  assert.ok(!existsSync(join(root, 'judge')));
});

test('hhrl report renders the online run: Elo by round, the slope fit and rates by round charted from online-run.json', async () => {
  const dir = join(root, 'run');
  const result = JSON.parse(readFileSync(join(dir, 'online-run.json'), 'utf8')) as OnlineRunResult;
  const { html, inputs } = await renderReport([dir]);
  assert.deepEqual(inputs, [{ path: dir, kind: 'online-run' }]);
  assert.ok(!/<script/i.test(html), 'no script element');
  const shown = (value: number) => String(significant(value)).replace('-', '−');
  // one Elo mark per snapshot, π₀ at round −1
  const elo: [number, number][] = [[-1, result.sft.elo], ...result.rounds.map((r): [number, number] => [r.round, r.elo])];
  for (const [x, y] of elo) assert.ok(html.includes(`aria-label="round (−1 = π₀): ${shown(x)}; Elo: ${shown(y)}"`), `Elo of round ${x}`);
  // one harm-rate mark per snapshot where the rate is measured
  for (const [x, rates] of [[-1, result.sft.rates], ...result.rounds.map((r) => [r.round, r.rates] as const)] as const) {
    const harm = points(rates.harm_rate);
    if (harm !== null) assert.ok(html.includes(`round (−1 = π₀): ${shown(x)}; %: ${shown(harm)}`), `harm of round ${x}`);
  }
  // every snapshot pair in the slope chart, and the fitted slope beside the paper's in the caption
  for (const gap of result.elo.gaps) assert.ok(html.includes(`mean PM score gap (last PM): ${shown(gap.scoreGap)}; Elo gap: ${shown(gap.eloGap)}`), `${gap.a} – ${gap.b}`);
  assert.ok(html.includes(`Bai et al. 2022's conversion (a PM gap Δ as the win log-odds) is 173.7`));
  // a damaged file is a typed error naming it and the field
  const broken = join(root, 'broken-online-run.json');
  writeFileSync(broken, JSON.stringify({ ...result, rounds: [{ ...result.rounds[0], elo: 'high' }] }));
  await assert.rejects(renderReport([broken]), (error: Error) => error instanceof DataFormatError && error.message.includes(broken) && error.message.includes('rounds.0.elo'));
});
