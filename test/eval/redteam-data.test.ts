/**
 * The red-team-data experiment (`runRedteamDataExperiment`) end to end at toy sizes on a small world: one π₀, two
 * worlds that differ only in the attacked red-team prompts, a PM and PPO run per world on the same RL prompts, attack
 * success recounted from the kept verdicts and paired by prompt, the report rendering the JSON, and a rerun that trains
 * nothing. Whether attacked red-team data makes a policy more robust is measured at quick size (README), not here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runRedteamDataExperiment } from '../../src/eval/experiments/redteam-data.ts';
import { parseStrategies, resolveRedteamDataConfig } from '../../src/eval/experiments/redteam-data-config.ts';
import { attackSuccess, type JudgedAttack } from '../../src/eval/experiments/redteam-data-summary.ts';
import { loadPrompts } from '../../src/data/specs/prompts.ts';
import { renderReport } from '../../src/report/render-report.ts';
import { percent } from '../../src/report/format.ts';
import { ConfigError } from '../../src/spec/errors.ts';
import { escapeHtml } from '../../src/redteam/index.ts';
import { loadWorld } from '../../src/world/index.ts';
import { TOY_STAGES, toyWorld } from './toy-experiment.ts';

const { root, worldDir } = toyWorld('hhrl-redteam-data-');

// 11 prompts per set so the attacked set holds one of every strategy, crescendo and role-play included
const CONFIG = { ...TOY_STAGES, evalPerSet: 11, attackShare: 0.6, poolAttackShare: 0.5 } as const;

const samples = (dir: string): JudgedAttack[] =>
  readFileSync(join(dir, 'eval-samples.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as JudgedAttack);

test('attack success by hand: rates of each policy, and the paired difference with its interval', () => {
  const rows = (harmful: readonly (0 | 1)[], strategies: readonly (string | null)[]): JudgedAttack[] =>
    harmful.map((value, index) => ({ id: `p${index}`, set: strategies[index] === null ? 'harmfulByCategory' : 'harmfulByStrategy', strategy: strategies[index], harmful: value }));
  const strategies = ['roleplay', 'roleplay', 'roleplay', 'roleplay', 'fiction', 'fiction', null, null];
  const table = attackSuccess(
    {
      sft: rows([1, 1, 1, 0, 1, 0, 1, 0], strategies),
      plain: rows([1, 1, 0, 0, 1, 0, 0, 0], strategies),
      attacked: rows([0, 0, 0, 1, 1, 1, 0, 0], strategies),
    },
    ['roleplay'],
  );
  assert.deepEqual(table.by_strategy.map((row) => [row.strategy, row.trained, row.n]), [['roleplay', true, 4], ['fiction', false, 2]]);
  const roleplay = table.trained;
  assert.deepEqual([roleplay.sft, roleplay.plain, roleplay.attacked], [0.75, 0.5, 0.25]);
  // differences −1, −1, 0, +1: mean −0.25, sample variance (0.5625·2 + 0.0625 + 1.5625)/3 = 0.9167
  assert.equal(roleplay.difference, -0.25);
  const half = 1.959963984540054 * Math.sqrt(0.9166666666666666 / 4);
  assert.ok(Math.abs(roleplay.ci95![0] - (-0.25 - half)) < 1e-12 && Math.abs(roleplay.ci95![1] - (-0.25 + half)) < 1e-12);
  assert.deepEqual([table.held_out.n, table.held_out.plain, table.held_out.attacked, table.held_out.difference], [2, 0.5, 1, 0.5]);
  assert.deepEqual([table.direct.n, table.direct.sft, table.direct.difference], [2, 0.5, 0]);
});

test('settings: strategies are attack strategies named once; --strategies parses a list', () => {
  assert.deepEqual(resolveRedteamDataConfig({ quick: true }).strategies, ['roleplay', 'crescendo']);
  assert.deepEqual([resolveRedteamDataConfig({ quick: true }).pmSteps, resolveRedteamDataConfig({ quick: true }).ppoSteps], [400, 32]);
  assert.deepEqual(parseStrategies('fiction, base64'), ['fiction', 'base64']);
  assert.throws(() => parseStrategies('roleplay,direct'), (error: Error) => error instanceof ConfigError && /"direct" is not an attack strategy/.test(error.message));
  assert.throws(() => resolveRedteamDataConfig({ strategies: ['roleplay', 'roleplay'] }), /names one twice/);
  assert.throws(() => resolveRedteamDataConfig({ attackShare: 0 }), ConfigError);
});

test('red-team data: two worlds differing only in attacked red-team prompts, one PM and PPO each from one π₀, paired attack success, resumable', async () => {
  const dir = join(root, 'run');
  const stages = new Set<string>();
  const result = await runRedteamDataExperiment(worldDir, CONFIG, dir, { onProgress: (stage) => stages.add(stage) });
  assert.deepEqual([...stages], ['lm', 'sft', 'plain pm', 'plain ppo', 'attacked pm', 'attacked ppo']);
  assert.equal(result.kind, 'redteam-data');

  // the worlds: the same files but the comparisons, and only the attacked prompts differ
  const [plain, attacked] = [loadWorld(join(dir, 'worlds', 'plain')), loadWorld(join(dir, 'worlds', 'attacked'))];
  assert.deepEqual(result.worlds.check.other_files_differ, []);
  const attackedMetas = (['train', 'test'] as const).flatMap((split) => attacked.comparisonMeta('harmless', split)).filter((meta) => meta.strategy !== undefined);
  assert.ok(attackedMetas.length > 0, 'some comparisons attacked');
  assert.equal(result.worlds.check.attacked, attackedMetas.length);
  assert.equal(result.worlds.check.comparisons.different_pairs, attackedMetas.length);
  for (const meta of attackedMetas) assert.ok(['roleplay', 'crescendo'].includes(meta.strategy!) && meta.family === 'harmful', `${meta.id}: ${meta.strategy} ${meta.family}`);
  assert.deepEqual(plain.comparisonMeta('harmless', 'train').filter((meta) => meta.strategy !== undefined), [], 'the plain world attacks no comparison');
  // both arms' PPO ran on the same prompts, some of them attacked
  const pool = loadPrompts(`world:${join(dir, 'worlds', 'plain')}`);
  assert.ok(pool.some((prompt) => prompt.strategy !== undefined), 'attacked RL prompts');
  for (const arm of ['plain', 'attacked']) {
    const ppo = JSON.parse(readFileSync(join(dir, 'arms', arm, 'ppo', 'config.json'), 'utf8')) as { inputs: { policy: string; reward: string } };
    assert.equal(ppo.inputs.policy, join(dir, 'sft'));
    assert.equal(ppo.inputs.reward, `pm:${join(dir, 'arms', arm, 'pm')}`);
  }
  assert.equal(result.without_attacks.pm.train_pairs, result.with_attacks.pm.train_pairs);
  assert.equal(result.with_attacks.pm.attacked_n, result.without_attacks.pm.attacked_n);
  // PM gold on the attacked held-out comparisons, by strategy: every such comparison counted once
  const testStrategies = attacked.comparisonMeta('harmless', 'test').flatMap((meta) => (meta.strategy === undefined ? [] : [meta.strategy]));
  for (const arm of [result.with_attacks, result.without_attacks]) {
    const byStrategy = arm.pm.attacked_gold_by_strategy;
    assert.deepEqual(Object.keys(byStrategy), [...new Set(testStrategies)].sort());
    for (const [strategy, gold] of Object.entries(byStrategy)) assert.equal(gold.n, testStrategies.filter((s) => s === strategy).length, strategy);
    assert.equal(Object.values(byStrategy).reduce((sum, gold) => sum + gold.n, 0), arm.pm.attacked_n);
  }

  // attack success is what the kept verdicts say
  const recount = attackSuccess({ sft: samples(join(dir, 'sft-eval')), plain: samples(join(dir, 'arms', 'plain')), attacked: samples(join(dir, 'arms', 'attacked')) }, ['roleplay', 'crescendo']);
  assert.deepEqual(result.attack_success, recount);
  assert.ok(result.attack_success.by_strategy.some((row) => row.strategy === 'crescendo' && row.trained), JSON.stringify(result.attack_success.by_strategy.map((row) => row.strategy)));
  assert.equal(result.finding.lowers_trained, result.attack_success.trained.difference === null ? null : result.attack_success.trained.difference < 0);

  // the report renders it
  const { html, inputs } = await renderReport([dir]);
  assert.deepEqual(inputs.map((input) => input.kind), ['redteam-data']);
  assert.match(html, /Attack success by strategy/);
  for (const [strategy, gold] of Object.entries(result.with_attacks.pm.attacked_gold_by_strategy)) assert.ok(html.includes(`<br>${strategy} ${percent(gold.gold)} (n ${gold.n})`), `PM gold on ${strategy} attacks`);
  assert.match(html, /<svg/);
  // a name from the file is escaped, in the text and in the chart
  const hostile = join(root, 'hostile.json');
  const edited = JSON.parse(readFileSync(join(dir, 'redteam-data.json'), 'utf8')) as { strategies: string[]; attack_success: { by_strategy: { strategy: string }[] } };
  edited.strategies[0] = '<script>alert(1)</script>';
  edited.attack_success.by_strategy[0].strategy = '<img src=x onerror=alert(2)>';
  writeFileSync(hostile, JSON.stringify(edited));
  const page = (await renderReport([hostile])).html;
  assert.ok(!page.includes('<script>alert(1)</script>') && !page.includes('<img src=x'));
  assert.ok(page.includes(escapeHtml('<script>alert(1)</script>')), 'shown as text');

  // a rerun over the finished folders trains and evaluates nothing again
  const before = statSync(join(dir, 'arms', 'attacked', 'eval.json')).mtimeMs;
  const again = await runRedteamDataExperiment(worldDir, CONFIG, dir);
  assert.equal(statSync(join(dir, 'arms', 'attacked', 'eval.json')).mtimeMs, before);
  assert.deepEqual({ ...again, minutes: 0, stage_minutes: {} }, { ...result, minutes: 0, stage_minutes: {} });
  // another attack share in the same folder is refused, naming the world folder
  await assert.rejects(runRedteamDataExperiment(worldDir, { ...CONFIG, attackShare: 0.3 }, dir), (error: Error) => error instanceof ConfigError && /worlds\/attacked: holds a world of another config/.test(error.message));
});
