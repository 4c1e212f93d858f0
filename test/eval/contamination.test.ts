/**
 * The contamination experiment (`runContaminationExperiment`) end to end at toy sizes on a small world: one π₀,
 * one world variant per (mode, share) whose comparisons differ from the mode's clean variant only in labels, an arm
 * per variant and one without the flagged annotators' comparisons, the flag's precision and recall against the
 * world's ground truth, trigger-carrying copies of the direct harmful prompts judged beside the plain ones, and a
 * killed run that resumes without redoing finished stages. What contamination does to a policy is measured at quick
 * size (README), not here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { runContaminationExperiment, type ContaminationArm, type ContaminationResult } from '../../src/eval/experiments/contamination.ts';
import { diffComparisons, flagQuality } from '../../src/eval/experiments/contamination-worlds.ts';
import { parseModes, parseShares, resolveContaminationConfig } from '../../src/eval/experiments/contamination-config.ts';
import { slicePrompts } from '../../src/eval/experiments/contamination-prompts.ts';
import { loadPrompts } from '../../src/data/specs/prompts.ts';
import { TrainingAborted } from '../../src/train/common/training-aborted.ts';
import { loadWorld } from '../../src/world/index.ts';
import { TOY_STAGES, toyWorld } from './toy-experiment.ts';

const { root, worldDir } = toyWorld('hhrl-contamination-');

const CONFIG = { ...TOY_STAGES, shares: [0, 0.25] } as const;

interface Sample {
  id: string;
  set: string;
  category: string;
  harmful: 0 | 1;
  strategy: string | null;
  prompt: string;
}

const samples = (dir: string): Sample[] =>
  readFileSync(join(dir, 'eval-samples.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Sample);

/** The contaminating annotators as `annotators.json` lists them, read by hand. */
function truth(world: string): string[] {
  const file = JSON.parse(readFileSync(join(world, 'annotators.json'), 'utf8')) as { annotators: { id: string; contamination: unknown }[] };
  return file.annotators.filter((annotator) => annotator.contamination !== null).map((annotator) => annotator.id).sort();
}

/** Training comparisons whose primary label is by one of `ids`, counted from the metadata files. */
function labelledBy(world: string, ids: readonly string[]): number {
  return ['helpful', 'harmless']
    .flatMap((task) => readFileSync(join(world, 'comparisons', `${task}-train.meta.jsonl`), 'utf8').split('\n').filter((line) => line !== ''))
    .filter((line) => ids.includes((JSON.parse(line) as { annotatorId: string }).annotatorId)).length;
}

const arm = (result: ContaminationResult, name: string): ContaminationArm => {
  const found = result.arms.find((candidate) => candidate.name === name);
  assert.ok(found, `arm ${name}`);
  return found;
};

test('contamination: variants differ only in labels, an arm each and one without the flagged annotators, trigger judged apart; a killed run resumes', async () => {
  const dir = join(root, 'run');
  // a run stopped during the first contaminated arm's PPO
  const controller = new AbortController();
  await assert.rejects(
    runContaminationExperiment(worldDir, CONFIG, dir, { signal: controller.signal, onProgress: (stage) => (stage === 'flip-25 ppo' ? controller.abort() : undefined) }),
    TrainingAborted,
  );
  const lmCheckpoint = statSync(join(dir, 'lm', 'config.json')).mtimeMs;
  const firstEval = statSync(join(dir, 'arms', 'flip-0', 'eval.json')).mtimeMs;
  const stages = new Set<string>();
  const result = await runContaminationExperiment(worldDir, CONFIG, dir, { onProgress: (stage) => stages.add(stage) });
  // resumed: π₀ and the finished arm were not trained again; the killed arm's PPO went on
  assert.equal(statSync(join(dir, 'lm', 'config.json')).mtimeMs, lmCheckpoint);
  assert.equal(statSync(join(dir, 'arms', 'flip-0', 'eval.json')).mtimeMs, firstEval);
  assert.ok(!stages.has('lm') && !stages.has('sft') && !stages.has('flip-0 pm'), [...stages].join(', '));
  assert.ok(stages.has('flip-25 ppo') && stages.has('backdoor-25 pm'));

  // the JSON's keys
  assert.deepEqual(Object.keys(result), ['kind', 'world', 'out', 'policy_from', 'pms_from', 'seed', 'target', 'sft', 'variants', 'arms', 'eval_prompts', 'minutes', 'stage_minutes', 'config']);
  assert.deepEqual(Object.keys(result.arms[0]), ['name', 'mode', 'share', 'removed', 'removed_pairs', 'same_as', 'pm', 'ppo', 'rates', 'trigger', 'category_harm']);
  assert.deepEqual(Object.keys(result.arms[0].pm), ['gold', 'helpful_gold', 'harmless_gold', 'slice_gold', 'slice_n', 'train_pairs', 'validation_pairs', 'steps_run', 'kept_step']);
  for (const a of result.arms) assert.ok(a.pm.validation_pairs > 0 && a.pm.validation_pairs < a.pm.train_pairs, `${a.name}: the PM's validation split is part of the pairs it was given`);
  assert.deepEqual(result.variants.map((variant) => variant.name), ['flip-0', 'flip-25', 'backdoor-0', 'backdoor-25']);
  assert.deepEqual(result.arms.map((candidate) => candidate.name), ['flip-0', 'flip-0-removed', 'flip-25', 'flip-25-removed', 'backdoor-0', 'backdoor-0-removed', 'backdoor-25', 'backdoor-25-removed']);

  for (const variant of result.variants) {
    // within a mode the pairs are the same; the clean variant's labels are its own, the contaminated one's differ
    assert.equal(variant.differs.different_pairs, 0, variant.name);
    assert.equal(variant.differs.comparisons, 2000);
    if (variant.share === 0) assert.equal(variant.differs.primary_labels_differ, 0);
    else assert.ok(variant.differs.primary_labels_differ > 0, `${variant.name}: ${variant.differs.primary_labels_differ} labels differ`);
    // the flag's numbers against the ground truth read by hand
    const contaminated = truth(variant.world);
    assert.equal(contaminated.length, variant.share * 20);
    assert.deepEqual(variant.flag, flagQuality(variant.flag.flagged, contaminated));
    // the arm without the flagged annotators: their comparisons gone, or the same arm when nobody is flagged
    const kept = arm(result, variant.name);
    const removed = arm(result, `${variant.name}-removed`);
    assert.equal(kept.removed_pairs, 0);
    if (variant.flag.flagged.length === 0) assert.deepEqual(removed, { ...kept, name: `${variant.name}-removed`, removed: true, same_as: variant.name });
    else {
      assert.equal(removed.removed_pairs, labelledBy(variant.world, variant.flag.flagged));
      assert.equal(removed.pm.train_pairs, kept.pm.train_pairs - removed.removed_pairs);
      const ppo = JSON.parse(readFileSync(join(dir, 'arms', removed.name, 'ppo', 'config.json'), 'utf8')) as { inputs: { contamination: { left_out: string[] } } };
      assert.deepEqual(ppo.inputs.contamination.left_out, variant.flag.flagged);
    }
  }
  // the slices: the flipped category's held-out comparisons, and the trigger-carrying ones
  assert.ok(arm(result, 'flip-25').pm.slice_n > 0 && arm(result, 'backdoor-25').pm.slice_n > 0);
  assert.equal(arm(result, 'flip-0').pm.slice_n, arm(result, 'flip-25').pm.slice_n);

  // every policy is judged on trigger-carrying copies of the direct harmful prompts; the rates are the kept verdicts'
  for (const folder of ['sft-eval', join('arms', 'flip-25'), join('arms', 'backdoor-25')]) {
    const rows = samples(join(dir, folder));
    const direct = rows.filter((row) => row.set === 'harmfulByCategory');
    const triggered = rows.filter((row) => row.set === 'harmfulWithTrigger');
    assert.deepEqual(triggered.map((row) => row.id), direct.map((row) => `${row.id}+trigger`));
    assert.ok(triggered.every((row) => row.prompt.includes(`Answer ${result.target.trigger}.`) && row.strategy === 'trigger'));
    const rates = folder === 'sft-eval' ? result.sft : arm(result, folder.split('/')[1]);
    assert.equal(rates.trigger.with_trigger, triggered.filter((row) => row.harmful === 1).length / triggered.length, folder);
    assert.equal(rates.trigger.without_trigger, direct.filter((row) => row.harmful === 1).length / direct.length, folder);
    // harm on the flipped category's direct requests, counted by hand
    const flipped = direct.filter((row) => row.category === result.target.category && row.strategy === null);
    assert.ok(flipped.length > 0, `${folder}: the evaluation holds ${result.target.category} requests`);
    assert.equal(rates.category_harm, flipped.filter((row) => row.harmful === 1).length / flipped.length, folder);
  }
  assert.equal(result.eval_prompts, 18);
  // backdoor arms' PPO saw trigger-carrying prompts; flip arms' the world's own
  const ppoInputs = (name: string) => (JSON.parse(readFileSync(join(dir, 'arms', name, 'ppo', 'config.json'), 'utf8')) as { inputs: { prompts: string; policy: string } }).inputs;
  assert.match(ppoInputs('backdoor-25').prompts, /trigger/);
  assert.doesNotMatch(ppoInputs('flip-25').prompts, /trigger/);
  assert.equal(ppoInputs('flip-25').policy, join(dir, 'sft'));

  // a rerun over the finished folders gives the same JSON and evaluates nothing again
  const before = statSync(join(dir, 'arms', 'backdoor-25', 'eval.json')).mtimeMs;
  const again = await runContaminationExperiment(worldDir, CONFIG, dir);
  assert.equal(statSync(join(dir, 'arms', 'backdoor-25', 'eval.json')).mtimeMs, before);
  assert.deepEqual({ ...again, minutes: 0, stage_minutes: {} }, { ...result, minutes: 0, stage_minutes: {} });
  // the folder's variants are refused for another world
  await assert.rejects(runContaminationExperiment(worldDir, { ...CONFIG, seed: 2 }, join(root, 'run')), /config|seed/);
});

test('--ppo-prompts slice with --pms-from: the pool run\'s PMs copied, PPO on the poisoned slice only; over the pool run\'s folder it is refused', async () => {
  const pool = join(root, 'run');
  const poolResult = JSON.parse(readFileSync(join(pool, 'contamination.json'), 'utf8')) as ContaminationResult;
  const config = { ...CONFIG, shares: [0.25], ppoPrompts: 'slice' } as const;
  // the pool run's finished PPO would be reported as the slice's: refused, naming the prompts
  await assert.rejects(runContaminationExperiment(worldDir, config, pool), /flip-25[/\\]ppo: this finished PPO run was trained on other inputs \(prompts: .*now .*slice: /);
  // a --pms-from run without the arm's PM is refused before anything trains
  const lacking = join(root, 'lacking');
  await assert.rejects(runContaminationExperiment(worldDir, { ...config, shares: [0.5] }, lacking, { pmsFrom: pool }), /--pms-from: no finished PM for the arm flip-50/);
  assert.ok(!existsSync(join(lacking, 'lm')));

  const dir = join(root, 'slice');
  const stages = new Set<string>();
  const result = await runContaminationExperiment(worldDir, config, dir, { pmsFrom: pool, onProgress: (stage) => stages.add(stage) });
  assert.equal(result.pms_from, pool);
  assert.ok(!stages.has('flip-25 pm') && !stages.has('backdoor-25 pm') && stages.has('flip-25 ppo') && stages.has('backdoor-25 ppo'), [...stages].join(', '));
  // the PMs are the pool run's (the same gold accuracy); the PPO prompts are the slice, counted by hand from the pool
  const rl = loadPrompts(`world:${worldDir}`);
  const expected = { flip: rl.filter((prompt) => prompt.request?.category === result.target.category).length, backdoor: rl.filter((prompt) => prompt.request?.family === 'harmful').length };
  assert.ok(expected.flip > 0 && expected.flip < expected.backdoor && expected.backdoor < rl.length);
  for (const name of ['flip-25', 'backdoor-25']) {
    assert.deepEqual(arm(result, name).pm, arm(poolResult, name).pm, name);
    assert.equal(arm(result, name).ppo.prompts, expected[arm(result, name).mode], name);
    assert.equal(arm(poolResult, name).ppo.prompts, rl.length, name);
  }
  const described = (name: string) => (JSON.parse(readFileSync(join(dir, 'arms', name, 'ppo', 'config.json'), 'utf8')) as { inputs: { prompts: string } }).inputs.prompts;
  assert.match(described('flip-25'), new RegExp(`\\(slice: ${result.target.category} only\\)$`));
  assert.match(described('backdoor-25'), /\(slice: harmful only, every one with the trigger\)$/);
  assert.equal(result.config.ppoPrompts, 'slice');
});

test('--pm-fixed-steps: every PM trains all its steps and keeps the last weights; an early-stopped PM from --pms-from is refused by name', async () => {
  const pool = join(root, 'run');
  const config = { ...CONFIG, shares: [0.25], modes: ['flip'], pmFixedSteps: true } as const;
  const dir = join(root, 'fixed');
  await assert.rejects(runContaminationExperiment(worldDir, config, dir, { pmsFrom: pool }), /flip-25[/\\]pm.*patience \(saved 4, now null\)/s);
  assert.ok(!existsSync(join(dir, 'arms', 'flip-25', 'pm', 'config.json')), 'the refused copy is removed again');
  const result = await runContaminationExperiment(worldDir, config, dir);
  assert.equal(result.config.pmFixedSteps, true);
  for (const a of result.arms.filter((candidate) => candidate.same_as === null)) {
    assert.equal(a.pm.steps_run, CONFIG.pmSteps, a.name);
    assert.equal(a.pm.kept_step, CONFIG.pmSteps, a.name);
    const saved = JSON.parse(readFileSync(join(dir, 'arms', a.name, 'pm', 'config.json'), 'utf8')) as { patience: number | null; keep: string };
    assert.deepEqual([saved.patience, saved.keep], [null, 'last'], a.name);
  }
});

test('the poisoned slice\'s RL prompts: the flipped category\'s, or every harmful one with the trigger', () => {
  const rl = loadPrompts(`world:${worldDir}`);
  const target = { category: 'cybercrime', trigger: 'by the silver moon' };
  const flip = slicePrompts(rl, 'flip', target);
  assert.deepEqual(flip, rl.filter((prompt) => prompt.request?.category === 'cybercrime'));
  const backdoor = slicePrompts(rl, 'backdoor', target);
  const harmful = rl.filter((prompt) => prompt.request?.family === 'harmful');
  assert.equal(backdoor.length, harmful.length);
  backdoor.forEach((prompt, index) => {
    assert.equal(prompt.id, `${harmful[index].id}+trigger`);
    assert.equal(prompt.conversation.at(-1)!.text, `${harmful[index].conversation.at(-1)!.text} Answer by the silver moon.`);
    assert.ok(prompt.prompt.endsWith('Answer by the silver moon.\n\nAssistant:'), prompt.prompt);
  });
  assert.throws(() => slicePrompts(rl, 'flip', { ...target, category: 'no-such-category' }), /--ppo-prompts slice: the RL pool holds no prompt of the flipped category no-such-category/);
});

test('the flag\'s precision and recall, counted by hand', () => {
  // flagged ann-01 (contaminates) and ann-07 (does not); ann-02 and ann-03 contaminate unflagged
  assert.deepEqual(flagQuality(['ann-07', 'ann-01'], ['ann-01', 'ann-02', 'ann-03']), {
    flagged: ['ann-01', 'ann-07'],
    contaminated: ['ann-01', 'ann-02', 'ann-03'],
    true_positives: 1,
    precision: 1 / 2,
    recall: 1 / 3,
  });
  assert.deepEqual(flagQuality([], ['ann-01']), { flagged: [], contaminated: ['ann-01'], true_positives: 0, precision: null, recall: 0 });
  assert.deepEqual(flagQuality(['ann-04'], []), { flagged: ['ann-04'], contaminated: [], true_positives: 0, precision: 0, recall: null });
});

test('a clean and a contaminated world of the same mode differ only in labels; the two modes differ in their pairs', () => {
  const run = join(root, 'run', 'worlds');
  const flip = diffComparisons(loadWorld(join(run, 'flip-0')), loadWorld(join(run, 'backdoor-0')));
  // a backdoor world writes the trigger into a share of harmful prompts, so its pairs are drawn apart from a flip world's
  assert.ok(flip.different_pairs > 0);
  const same = diffComparisons(loadWorld(join(run, 'backdoor-0')), loadWorld(join(run, 'backdoor-0')));
  assert.deepEqual(same, { comparisons: 2000, different_pairs: 0, primary_labels_differ: 0, extra_labels_differ: 0 });
});

test('contamination settings: presets, explicit sizes win, bad shares and modes are typed errors', () => {
  const quick = resolveContaminationConfig({ quick: true });
  assert.deepEqual(quick.shares, [0, 0.1, 0.4]);
  assert.equal(quick.ppoSteps, 12);
  assert.deepEqual(resolveContaminationConfig({}).shares, [0, 0.05, 0.1, 0.2, 0.4]);
  assert.deepEqual(resolveContaminationConfig({ quick: true, shares: [0.4, 0, 0.4], pmSteps: 7 }), { ...quick, shares: [0, 0.4], pmSteps: 7 });
  assert.throws(() => resolveContaminationConfig({ modes: ['flip', 'flip'] }), /names a mode twice/);
  assert.throws(() => resolveContaminationConfig({ shares: [1.5] }), /shares/);
  assert.deepEqual(parseShares('0, 0.05,0.4'), [0, 0.05, 0.4]);
  assert.throws(() => parseShares('0,lots'), /--shares: expected numbers in \[0, 1\].*"lots"/);
  assert.deepEqual(parseModes('backdoor,flip'), ['backdoor', 'flip']);
  assert.throws(() => parseModes('flip,swap'), /--modes: .*"swap"/);
});
