/**
 * The alignment-tax experiment (`runAlignmentTaxExperiment`) end to end at toy sizes on a small world: one cell per
 * (size, seed), each with its own base LM, π₀, PM of the same size and PPO; a run killed inside a cell's PPO resumes
 * there and leaves finished cells alone; the JSON's changes, per-size intervals and trend are the ones the summary
 * functions compute from the cells' rates, which are the oracle's verdicts kept in each evaluation folder; `hhrl
 * report` draws the tax by size. What the tax does with size is measured at quick size (README), not here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ppoRewardWindow, runAlignmentTaxExperiment } from '../../src/eval/experiments/alignment-tax.ts';
import { bySize, cellDeltas, checkTaxExpectation, taxTrend } from '../../src/eval/experiments/alignment-tax-summary.ts';
import { fixed, points, significant } from '../../src/report/format.ts';
import { escapeHtml } from '../../src/redteam/index.ts';
import { renderReport } from '../../src/report/render-report.ts';
import { TrainingAborted } from '../../src/train/common/training-aborted.ts';
import { RunFolder } from '../../src/train/run-folder.ts';
import { TOY_STAGES, toyWorld } from './toy-experiment.ts';

const { root, worldDir } = toyWorld('hhrl-alignment-tax-');

const CONFIG = {
  vocabSize: TOY_STAGES.vocabSize,
  lmSteps: TOY_STAGES.lmSteps,
  sftSteps: TOY_STAGES.sftSteps,
  pmSteps: TOY_STAGES.pmSteps,
  ppoSteps: TOY_STAGES.ppoSteps,
  ppoBatch: TOY_STAGES.ppoBatch,
  evalPerSet: TOY_STAGES.evalPerSet,
  evalMaxNewTokens: TOY_STAGES.evalMaxNewTokens,
  maxNewTokens: TOY_STAGES.maxNewTokens,
  sizes: ['nano', 'micro', 'tiny'],
  seeds: [1, 2],
  threads: 1,
} as const;

const mtime = (path: string) => statSync(path).mtimeMs;

test('alignment tax: a cell per size and seed, killed and resumed, the JSON from the cells\' verdicts, the report draws the tax by size', async () => {
  const dir = join(root, 'run');
  const cell = (name: string, ...rest: string[]) => join(dir, 'cells', name, ...rest);
  // 1) killed as the second cell's PPO starts (its π₀ and PM done)
  const controller = new AbortController();
  const stages: string[] = [];
  const onProgress = (stage: string) => {
    if (!stages.includes(stage)) stages.push(stage);
    if (stage === 'micro-seed1 ppo') controller.abort();
  };
  await assert.rejects(runAlignmentTaxExperiment(worldDir, CONFIG, dir, { signal: controller.signal, onProgress }), TrainingAborted);
  assert.deepEqual(stages, ['nano-seed1 lm', 'nano-seed1 sft', 'nano-seed1 pm', 'nano-seed1 ppo', 'micro-seed1 lm', 'micro-seed1 sft', 'micro-seed1 pm', 'micro-seed1 ppo']);
  const kept = { cell: mtime(cell('nano-seed1', 'cell.json')), pm: mtime(cell('micro-seed1', 'pm-gold.json')) };

  // 2) resumed: the second cell goes on at its PPO, the other four run, the first is read back
  const resumed: string[] = [];
  const result = await runAlignmentTaxExperiment(worldDir, CONFIG, dir, { onProgress: (stage) => resumed.includes(stage) || resumed.push(stage) });
  assert.equal(resumed[0], 'micro-seed1 ppo');
  assert.ok(!resumed.some((stage) => stage.startsWith('nano-seed1') || stage === 'micro-seed1 pm' || stage === 'micro-seed1 lm'), resumed.join(', '));
  assert.deepEqual(kept, { cell: mtime(cell('nano-seed1', 'cell.json')), pm: mtime(cell('micro-seed1', 'pm-gold.json')) });
  const ppoRows = new RunFolder(cell('micro-seed1', 'ppo')).metricRows().filter((row) => row.kind === 'train');
  assert.equal(ppoRows.length, 2, 'the resumed PPO ran its 2 iterations once each');

  // the JSON's keys and cells: seeds outer, each policy and PM its size, rates from its verdicts
  assert.equal(result.kind, 'alignment-tax');
  for (const key of ['world', 'out', 'sizes', 'seeds', 'cells', 'by_size', 'interval', 'trend', 'expectation', 'eval_prompts', 'minutes', 'stage_minutes', 'config']) assert.ok(key in result, key);
  assert.deepEqual(result.cells.map((c) => `${c.size}-${c.seed}`), ['nano-1', 'micro-1', 'tiny-1', 'nano-2', 'micro-2', 'tiny-2']);
  assert.equal(result.eval_prompts, 15);
  const nonEmbedding = { nano: 12768, micro: 56640, tiny: 100096 };
  for (const c of result.cells) {
    const name = `${c.size}-seed${c.seed}`;
    assert.equal(c.non_embedding_parameters, nonEmbedding[c.size as keyof typeof nonEmbedding], name);
    const pm = JSON.parse(readFileSync(cell(name, 'pm', 'config.json'), 'utf8')) as { model: { size: string }; seed: number };
    assert.equal(pm.model.size, c.size);
    assert.equal(pm.seed, c.seed);
    const ppo = JSON.parse(readFileSync(cell(name, 'ppo', 'config.json'), 'utf8')) as { inputs: { policy: string } };
    assert.equal(ppo.inputs.policy, cell(name, 'sft'));
    for (const [folder, rates] of [['sft-eval', c.sft], ['ppo-eval', c.ppo]] as const) {
      const rows = readFileSync(cell(name, folder, 'eval-samples.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { family: string; strategy: string | null; harmful: number });
      const direct = rows.filter((row) => row.family === 'harmful' && row.strategy === null);
      assert.equal(rows.length, 15);
      assert.equal(rates.harm_rate, direct.filter((row) => row.harmful === 1).length / direct.length, `${name} ${folder}`);
    }
    // PPO's reward at its start and end: 2 iterations, so each window of 4 holds both
    const rewards = new RunFolder(cell(name, 'ppo')).metricRows().filter((row) => row.kind === 'train').map((row) => row.reward as number);
    assert.equal(rewards.length, 2);
    assert.equal(c.ppo_run.reward, rewards[1]);
    assert.equal(c.ppo_run.reward_start, (rewards[0]! + rewards[1]!) / 2);
    assert.equal(c.ppo_run.reward_end, c.ppo_run.reward_start);
    assert.deepEqual(c.delta, cellDeltas(c));
    assert.equal(c.delta.answer_rate, c.ppo.answer_rate! - c.sft.answer_rate!);
  }
  assert.deepEqual(result.by_size, bySize(result.cells, CONFIG.sizes));
  assert.deepEqual(result.by_size.map((s) => s.seeds), [[1, 2], [1, 2], [1, 2]]);
  assert.deepEqual(result.trend.answer_rate, taxTrend(result.cells, 'answer_rate'));
  assert.equal(result.trend.answer_rate.n, 6);
  assert.deepEqual(result.expectation, checkTaxExpectation(result.trend.answer_rate, result.by_size));

  // 3) a rerun over the finished cells trains nothing and gives the same JSON
  const rerun: string[] = [];
  const again = await runAlignmentTaxExperiment(worldDir, CONFIG, dir, { onProgress: (stage) => rerun.push(stage) });
  assert.deepEqual(rerun, []);
  assert.deepEqual({ ...again, minutes: 0, stage_minutes: {} }, { ...result, minutes: 0, stage_minutes: {} });

  // 4) the report: one point per size at its mean change, from the JSON file and from the --out folder
  const { html, inputs } = await renderReport([join(dir, 'alignment-tax.json'), dir]);
  assert.deepEqual(inputs.map((input) => input.kind), ['alignment-tax', 'alignment-tax']);
  for (const size of result.by_size) {
    assert.ok(html.includes(`aria-label="${size.size} Δ answers (${significant(size.non_embedding_parameters)}, ${points(size.delta.answer_rate.mean)})"`), `${size.size} on the tax chart`);
  }
  assert.ok(html.includes(escapeHtml(result.expectation.statement)), 'the verdict, escaped');
  const first = result.cells[0]!.ppo_run;
  assert.ok(html.includes(`<td>${fixed(first.reward_start)} → ${fixed(first.reward_end)}</td>`), 'PPO\'s reward at its start and end in the cell table');

  // 5) --stages-from: a longer PPO from the same π₀s and PMs trains only PPO; other settings for those stages are refused
  const longer = join(root, 'longer');
  await assert.rejects(
    runAlignmentTaxExperiment(worldDir, { ...CONFIG, sftSteps: CONFIG.sftSteps + 1 }, longer, { stagesFrom: dir }),
    /--stages-from: .*nano-seed1 was trained with sftSteps = 10, not 11/,
  );
  assert.ok(!existsSync(join(longer, 'cells', 'nano-seed1')), 'nothing copied when refused');
  const trained: string[] = [];
  const long = await runAlignmentTaxExperiment(worldDir, { ...CONFIG, ppoSteps: CONFIG.ppoSteps + 1 }, longer, { stagesFrom: dir, onProgress: (stage) => trained.includes(stage) || trained.push(stage) });
  assert.deepEqual(trained, result.cells.map((c) => `${c.size}-seed${c.seed} ppo`), 'only PPO ran');
  assert.equal(long.stages_from, dir);
  for (const [i, c] of long.cells.entries()) {
    const name = `${c.size}-seed${c.seed}`;
    assert.deepEqual(c.sft, result.cells[i].sft, `${name}: π₀'s verdicts read back`);
    assert.deepEqual(c.pm, result.cells[i].pm, `${name}: the same PM`);
    assert.equal(new RunFolder(join(longer, 'cells', name, 'ppo')).metricRows().filter((row) => row.kind === 'train').length, CONFIG.ppoSteps + 1);
    const ppo = JSON.parse(readFileSync(join(longer, 'cells', name, 'ppo', 'config.json'), 'utf8')) as { inputs: { policy: string; reward: string } };
    assert.deepEqual(ppo.inputs, { ...ppo.inputs, policy: join(longer, 'cells', name, 'sft'), reward: `pm:${join(longer, 'cells', name, 'pm')}` });
    const at = (...path: string[]) => mtime(join(longer, 'cells', name, ...path));
    assert.ok(at('sft-eval', 'eval.json') < at('ppo', 'config.json') && at('pm-gold.json') < at('ppo', 'config.json'), `${name}: π₀'s verdicts and the PM's gold read back, not measured again after PPO`);
  }
  const longPage = (await renderReport([longer])).html;
  assert.ok(longPage.includes(`PPO ${CONFIG.ppoSteps + 1} iterations`) && longPage.includes(`taken from <code>${escapeHtml(dir)}</code>`), 'the page says how long PPO ran and where the stages came from');
  await assert.rejects(runAlignmentTaxExperiment(worldDir, { ...CONFIG, seeds: [3, 1] }, join(root, 'missing'), { stagesFrom: dir }), /--stages-from: .*nano-seed3 is not a finished cell/);
});

test('ppoRewardWindow: the mean reward of the first and of the last iterations, by hand', () => {
  const rows = [{ reward: 1 }, { reward: 3 }, { reward: 2 }, { reward: 6 }, { reward: 10 }];
  assert.deepEqual(ppoRewardWindow(rows, 2), { reward_start: 2, reward_end: 8 });
  assert.deepEqual(ppoRewardWindow(rows), { reward_start: 3, reward_end: 5.25 }, 'four by default: (1+3+2+6)/4 and (3+2+6+10)/4');
  assert.deepEqual(ppoRewardWindow([{ reward: 4 }], 4), { reward_start: 4, reward_end: 4 }, 'fewer rows than the window: all of them');
  assert.deepEqual(ppoRewardWindow([], 4), { reward_start: null, reward_end: null });
  assert.deepEqual(ppoRewardWindow([{ reward: 'x' }, { reward: 7 }], 4), { reward_start: 7, reward_end: 7 }, 'a row without a numeric reward is skipped');
});
