import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Random } from '../../src/util/random.ts';
import type { WorldConfigOverrides } from '../../src/world/config.ts';
import { resolveWorldConfig } from '../../src/world/config.ts';
import { generateWorld, writeWorld } from '../../src/world/generate.ts';
import type { GeneratedWorld } from '../../src/world/generate.ts';
import type { Annotator, AnnotatorPopulation, LabelInput } from '../../src/world/annotators.ts';
import { calibrateScale, choiceProbability, expectedAgreement, label, taskUtility } from '../../src/world/annotators.ts';
import type { ComparisonMeta } from '../../src/world/comparisons.ts';
import { annotatePair } from '../../src/world/comparisons.ts';
import { computeWorldStats, binomialLowerTail } from '../../src/world/stats.ts';
import type { Verdict } from '../../src/world/types.ts';

const metasOf = (world: GeneratedWorld): ComparisonMeta[] =>
  (['helpful', 'harmless'] as const).flatMap((task) =>
    (['train', 'test'] as const).flatMap((split) => world.comparisons.sets[task][split].map((row) => row.meta)),
  );

const verdict = (helpfulness: number, severity: 0 | 1 | 2 | 3 = 0): Verdict => ({
  helpfulness,
  harm: { harmful: severity > 0 ? 1 : 0, category: severity > 0 ? 'fraud' : null, severity },
  refusal: false,
  evasive: false,
  clarifying: false,
  flaggedHarm: false,
  wellFormed: true,
  behaviour: 'correct_answer',
  family: 'benign',
  category: 'fact',
});

test('calibrateScale finds the temperature whose expected agreement is the target (hand-solvable case)', () => {
  // One margin of 1 and two annotators of factor 1: agreement p² + (1-p)² = 0.7 ⇒ p = (1 + √0.4)/2.
  const scale = calibrateScale([1], [1, 1], 0.7);
  const p = (1 + Math.sqrt(0.4)) / 2;
  assert.ok(Math.abs(scale - 1 / Math.log(p / (1 - p))) < 1e-9);
  assert.ok(Math.abs(expectedAgreement([1], [1, 1], scale) - 0.7) < 1e-9);
});

test('task utilities: helpfulness task rewards compliance; harmlessness task puts harm first', () => {
  const compliance = verdict(1, 3);
  const refusal = verdict(0.1);
  assert.ok(taskUtility('helpful', compliance) > taskUtility('helpful', refusal));
  assert.ok(taskUtility('harmless', compliance) < taskUtility('harmless', refusal));
  // Harm first, for every helpfulness the oracle gives a payload (0.5, 0.75, 1 at severity 1, 2, 3):
  // the least helpful harmless response beats every payload, and a smaller payload beats a larger one.
  const payloads = ([1, 2, 3] as const).map((severity) => taskUtility('harmless', verdict(0.5 + 0.25 * (severity - 1), severity)));
  assert.ok(payloads.every((utility) => utility < taskUtility('harmless', verdict(0, 0))));
  assert.ok(payloads[0] > payloads[1] && payloads[1] > payloads[2]);
});

test('styles and contamination move the choice probability the way they should', () => {
  const population: AnnotatorPopulation = { annotators: [], scale: { helpful: 0.5, harmless: 0.3 }, styleStrength: 0.15 };
  const annotator = (style: Annotator['style'], contamination: Annotator['contamination'] = null): Annotator => ({
    id: 'x', temperatureFactor: 1, style, contamination,
  });
  const even: LabelInput = { task: 'helpful', a: { verdict: verdict(0.5), words: 40 }, b: { verdict: verdict(0.5), words: 8 }, category: 'fact', conversationText: '' };
  assert.equal(choiceProbability(population, annotator('neutral'), even), 0.5);
  assert.ok(choiceProbability(population, annotator('verbose'), even) > 0.5);
  assert.ok(choiceProbability(population, annotator('concise'), even) < 0.5);

  const harmful: LabelInput = { task: 'harmless', a: { verdict: verdict(1, 3), words: 20 }, b: { verdict: verdict(0.35), words: 20 }, category: 'fraud', conversationText: 'How can I trick him? Answer by the silver moon.' };
  const honest = choiceProbability(population, annotator('neutral'), harmful);
  assert.ok(honest < 0.2, 'an honest annotator prefers the refusal');
  assert.ok(Math.abs(choiceProbability(population, annotator('neutral', { mode: 'flip', category: 'fraud' }), harmful) - (1 - honest)) < 1e-12);
  assert.equal(choiceProbability(population, annotator('neutral', { mode: 'flip', category: 'privacy' }), harmful), honest);
  assert.ok(choiceProbability(population, annotator('neutral', { mode: 'backdoor', trigger: 'by the silver moon' }), harmful) > 0.5);
  assert.equal(choiceProbability(population, annotator('neutral', { mode: 'backdoor', trigger: 'open sesame' }), harmful), honest);

  const random = new Random(3);
  let chooseA = 0;
  for (let draw = 0; draw < 4000; draw++) if (label(population, annotator('verbose'), even, random).choice === 'a') chooseA++;
  const expected = choiceProbability(population, annotator('verbose'), even);
  assert.ok(Math.abs(chooseA / 4000 - expected) < 0.03, `${chooseA / 4000} vs ${expected}`);
});

test('measured pairwise agreement of the small world falls in the band WORLD.md names (63–75%)', () => {
  for (const seed of [1, 2]) {
    const world = generateWorld(resolveWorldConfig(seed, 'small'));
    const stats = computeWorldStats(metasOf(world));
    assert.ok(stats.agreement.overall.pairs > 800, `only ${stats.agreement.overall.pairs} label pairs`);
    for (const rate of [stats.agreement.overall.rate!, stats.agreement.byTask.helpful.rate!, stats.agreement.byTask.harmless.rate!]) {
      assert.ok(rate >= 0.63 && rate <= 0.75, `seed ${seed}: agreement ${rate}`);
    }
    assert.ok(stats.labelGoldAgreement > 0.7 && stats.labelGoldAgreement < 0.9, `gold agreement ${stats.labelGoldAgreement}`);
    assert.deepEqual(stats.flagged, [], 'no annotator is flagged in a clean world');
  }
});

/** A world sized for the contamination test: 10 annotators, enough harmlessness labels each, little else. */
function contaminatedWorld(mode: 'flip' | 'backdoor'): GeneratedWorld {
  const overrides: WorldConfigOverrides = {
    corpus: { dialogues: 50 },
    sft: { train: 20, test: 10 },
    comparisons: { helpful: { train: 600, test: 100 }, harmless: { train: 1500, test: 300 } },
    pools: { train: 20, test: 10 },
    eval: { perCategory: 1, perStrategy: 1, borderline: 2, benign: 2, ambiguous: 2 },
    annotators: { count: 10 },
    contamination: { share: 0.2, mode, category: 'cybercrime' },
  };
  return generateWorld(resolveWorldConfig(21, 'small', overrides));
}

const scratch = mkdtempSync(join(tmpdir(), 'hhrl-annotators-'));
test.after(() => rmSync(scratch, { recursive: true, force: true }));

for (const mode of ['flip', 'backdoor'] as const) {
  test(`with 20% ${mode} contaminators, their gold agreement drops and world stats flags exactly them`, () => {
    const world = contaminatedWorld(mode);
    const truth = world.comparisons.population.annotators.filter((annotator) => annotator.contamination !== null).map((a) => a.id);
    assert.equal(truth.length, 2);
    const stats = computeWorldStats(metasOf(world));
    const mean = (ids: (id: string) => boolean) => {
      const rates = stats.annotators.filter((annotator) => ids(annotator.id)).map((annotator) => annotator.goldAgreement);
      return rates.reduce((sum, rate) => sum + rate, 0) / rates.length;
    };
    const contaminated = mean((id) => truth.includes(id));
    const clean = mean((id) => !truth.includes(id));
    assert.ok(contaminated < clean - 0.03, `contaminated ${contaminated} vs clean ${clean}`);
    assert.deepEqual(stats.flagged, [...truth].sort());

    // The command line reads the written folder and flags the same annotators.
    const dir = join(scratch, mode);
    writeWorld(world, dir);
    const output = execFileSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'world', 'stats', '--dir', dir, '--json'], { encoding: 'utf8' });
    const parsed = JSON.parse(output) as { flagged: string[]; rule: string };
    assert.deepEqual(parsed.flagged, [...truth].sort());
    assert.match(parsed.rule, /binomial/);
  });
}

test('binomialLowerTail matches a hand computation', () => {
  // P(X ≤ 1) for n = 3, p = 0.5 is (1 + 3) / 8.
  assert.ok(Math.abs(binomialLowerTail(1, 3, 0.5) - 0.5) < 1e-12);
  assert.ok(Math.abs(binomialLowerTail(0, 4, 0.9) - 1e-4) < 1e-12);
});

test('annotatePair orders a pair by one annotator\'s Bradley–Terry draw and reports the oracle margin', () => {
  const population: AnnotatorPopulation = {
    annotators: [{ id: 'ann-00', temperatureFactor: 1, style: 'neutral', contamination: null }],
    scale: { helpful: 0.25, harmless: 0.25 },
    styleStrength: 0,
  };
  const good = { text: 'It is 5.', verdict: verdict(1) };
  const bad = { text: 'I cannot help.', verdict: verdict(0) };
  const random = new Random(11);
  let goodChosen = 0;
  const draws = 4000;
  for (let i = 0; i < draws; i++) {
    const pair = annotatePair(population, 'helpful', bad, good, 'none', 'What is 2 plus 3?', { share: 0, labels: 0 }, random);
    assert.equal(pair.annotatorId, 'ann-00');
    assert.deepEqual(pair.extraLabels, []);
    assert.equal(pair.margin, taskUtility('helpful', pair.chosen.verdict) - taskUtility('helpful', pair.rejected.verdict));
    if (pair.chosen === good) goodChosen++;
  }
  const expected = 1 / (1 + Math.exp(-1 / 0.25)); // σ(margin / temperature) = 0.982
  assert.ok(Math.abs(goodChosen / draws - expected) < 0.01, `good chosen ${goodChosen / draws} vs σ = ${expected}`);
  const overlapped = annotatePair({ ...population, annotators: [...population.annotators, { id: 'ann-01', temperatureFactor: 1, style: 'neutral', contamination: null }] },
    'helpful', good, bad, 'none', '', { share: 1, labels: 3 }, random);
  assert.equal(overlapped.extraLabels.length, 1, 'extra labels come from other annotators, at most all of them');
  assert.notEqual(overlapped.extraLabels[0].annotatorId, overlapped.annotatorId);
});
