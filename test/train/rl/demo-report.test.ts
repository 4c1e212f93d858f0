/**
 * The demo report's sections on hand-made numbers: tables, captions and charts render from a run's numbers, and
 * strings from data are escaped. (`test/report/report.test.ts` renders real demo folders.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderDemoReport, type DemoReportData } from '../../../src/report/demo-report.ts';
import { linearFit } from '../../../src/train/rollout/stats.ts';
import { demoChecks, type DemoCheckInput } from '../../../src/eval/demo-checks.ts';

const evaluation = (harm: number) => ({
  helpfulness: 0.5,
  harm_rate: harm,
  over_refusal: 0.1,
  harm_by_category: { '<script>alert(1)</script>': harm },
  harm_by_strategy: { direct: harm, roleplay: 0.4 },
});

test('report.html shows before/after rates, the √KL fit and escapes data strings', async () => {
  const rows = Array.from({ length: 6 }, (_, i) => ({ kind: 'train', step: i + 1, reward: 0.5 * i, sqrt_kl: i, kl: i * i, entropy: 2, response_length: 20, clip_fraction: 0.01, value_loss: 0.2, ptx_loss: 1 - 0.1 * i }));
  const fit = linearFit(rows.slice(0, 3).map((row) => row.sqrt_kl), rows.slice(0, 3).map((row) => row.reward));
  const result = {
    summary: { sft: { helpfulness: 0.5, harm_rate: 0.3, over_refusal: 0.1 }, ppo: { helpfulness: 0.5, harm_rate: 0.1, over_refusal: 0.1 }, sqrtkl_fit: { slope: 0.5, r2: 1 }, minutes: 3.5, stage_minutes: { lm: 1 }, ppo_settings: { learning_rate: 3e-5, kl_coef: 0.03, ptx_coef: 1, steps: 6, batch: 8 }, pm: { accuracy: 0.8, gold_accuracy: 0.9, ece: 0.05, n: 10 }, seed: 0 },
    ppo: { algorithm: 'ppo', steps: 6, sqrtKlFit: { all: fit, firstHalf: fit }, firstEvaluation: evaluation(0.3), lastEvaluation: evaluation(0.1), final: null },
    ppoRows: rows,
    pmEval: { n: 10, accuracy: 0.8, gold_accuracy: 0.9, ece: 0.05, calibration: { bins: [], ece: 0.05 } },
    config: {},
  } as unknown as DemoReportData;
  const html = await renderDemoReport(result);
  assert.ok(!html.includes('<script>'), 'category names are escaped');
  assert.match(html, /PPO: 6 iterations × 8 samples, lr 0\.00003, λ_KL 0\.03, PPO-ptx γ 1/, 'the settings PPO ran with');
  for (const name of ['reward', 'kl', 'entropy', 'response_length', 'clip_fraction', 'value_loss', 'ptx_loss']) assert.ok(html.includes(`>${name}</text>`), `a panel for ${name}`);
  assert.ok(html.includes('&#60;script&#62;alert(1)&#60;/script&#62;'));
  assert.match(html, /harmful compliance, direct requests<\/td><td>30\.0%<\/td><td>10\.0%/);
  assert.match(html, /slope 0\.500, R² 1\.000/);
  assert.match(html, /attack success: roleplay<\/td><td>40\.0%/);
  // the training curves chart every logged value (e.g. ptx_loss 0.5 at step 6)
  assert.ok(html.includes('aria-label="iteration: 6; value: 0.5"'), 'ptx_loss at step 6');
  assert.ok(!html.includes("The demo's claims"), 'no claims section for a summary written before it existed');
  assert.ok(!html.includes('KL^α'), 'no KL-law paragraph for a summary written before it was measured');
  const klLaw = { alpha: 0.55, alpha_ci95: [0.4, 0.7] as const, slope: 1, r2: 0.99, r2_sqrt_kl: 0.99, r2_kl: 0.9, n: 6, resamples: 100, source: 'train' as const };
  const summary = { ...result.summary, kl_law: klLaw } as unknown as DemoCheckInput;
  const withChecks = await renderDemoReport({ ...result, summary: { ...result.summary, kl_law: klLaw, checks: demoChecks(summary) } as DemoReportData['summary'] });
  assert.match(withChecks, /✓ PPO harm rate &#60; SFT harm rate \(-20\.0 points\)/);
  assert.match(withChecks, /✓ PPO helpfulness ≥ SFT helpfulness − 5 points \(0\.0 points\)/);
  assert.match(withChecks, /✓ PM reward grows as √KL: the 95% interval of α in reward = r₀ \+ b·KL\^α holds 0\.5 and not 1 \(reward linear in KL\) \(α 0\.55\)/);
  assert.match(withChecks, /over 6 train points: α 0\.55/);
  // behaviour counts before/after, keys escaped; rows written before they were logged show no table
  assert.ok(!html.includes('Oracle behaviours'));
  const before = { ...evaluation(0.3), behaviours: { 'ambiguous/clarifying_question': 88, '<b>x</b>': 1 } };
  const after = { ...evaluation(0.1), behaviours: { 'ambiguous/clarifying_question': 76, 'ambiguous/partial_answer': 24 } };
  const withBehaviours = await renderDemoReport({ ...result, ppo: { ...result.ppo, firstEvaluation: before, lastEvaluation: after } });
  assert.match(withBehaviours, /<td>ambiguous\/clarifying_question<\/td><td>88<\/td><td>76<\/td>/);
  assert.match(withBehaviours, /<td>ambiguous\/partial_answer<\/td><td>0<\/td><td>24<\/td>/);
  assert.ok(withBehaviours.includes('<td>&#60;b&#62;x&#60;/b&#62;</td><td>1</td><td>0</td>'));
  assert.ok(!html.includes("On the policy's own samples"), 'no on-policy section without the check');
  const onPolicyEval = { n: 40, gold_n: 20, gold_accuracy: 0.55, gold_ci95: [0.34, 0.74], by_family: { benign: { n: 30, gold_n: 15, gold_accuracy: 0.4, accuracy: 0.5 }, '<i>y</i>': { n: 10, gold_n: 5, gold_accuracy: 1, accuracy: 1 } } };
  const withOnPolicy = await renderDemoReport({ ...result, onPolicyEval } as unknown as DemoReportData);
  assert.match(withOnPolicy, /oracle prefers one side in 20 of them; the PM ranks 55\.0% \(95% CI 34\.0%–74\.0%\) of those as the oracle does, against 90\.0%/);
  assert.match(withOnPolicy, /<td>benign<\/td><td>30<\/td><td>15<\/td><td>40\.0%<\/td>/);
  assert.ok(withOnPolicy.includes('<td>&#60;i&#62;y&#60;/i&#62;</td>'), 'family names are escaped');
});

test('report.html shows the held-out probe chart and fit when the run probed', async () => {
  const train = Array.from({ length: 4 }, (_, i) => ({ kind: 'train', step: i + 1, reward: 0.1 * i, sqrt_kl: i, kl: i * i, entropy: 2, response_length: 20, clip_fraction: 0.01, value_loss: 0.2 }));
  const probes = Array.from({ length: 5 }, (_, i) => ({ kind: 'probe', step: i, reward: 1 + 0.25 * i, sqrt_kl: 0.5 * i, kl: 0.25 * i * i, prompts: 128 }));
  const probeFit = linearFit(probes.slice(0, 3).map((row) => row.sqrt_kl), probes.slice(0, 3).map((row) => row.reward));
  const trainFit = linearFit(train.slice(0, 2).map((row) => row.sqrt_kl), train.slice(0, 2).map((row) => row.reward));
  const result = {
    summary: { sft: {}, ppo: {}, sqrtkl_fit: { slope: probeFit.slope, r2: probeFit.r2, n: 3, source: 'probe' }, kl_law: { alpha: 1.2, alpha_ci95: [0.87, 1.8], slope: 1.17, r2: 0.94, r2_sqrt_kl: 0.86, r2_kl: 0.93, n: 17, resamples: 1000, source: 'probe' }, minutes: 1, stage_minutes: {}, ppo_settings: { learning_rate: 1e-4, kl_coef: 0.05, ptx_coef: 0, steps: 3, batch: 4 }, pm: {}, seed: 0 },
    ppo: { algorithm: 'ppo', steps: 4, sqrtKlFit: { all: trainFit, firstHalf: trainFit }, probeSqrtKlFit: { all: probeFit, firstHalf: probeFit }, firstEvaluation: null, lastEvaluation: null, final: null },
    ppoRows: [...probes.slice(0, 1), ...train.flatMap((row, i) => [row, probes[i + 1]])],
    pmEval: { n: 10, accuracy: 0.8, gold_accuracy: 0.9, ece: 0.05, calibration: { bins: [], ece: 0.05 } },
    config: {},
  } as unknown as DemoReportData;
  const html = await renderDemoReport(result);
  assert.match(html, /Held-out reward probe/);
  assert.match(html, /λ_KL 0\.05, plain PPO \(no ptx term\)/);
  assert.ok(!html.includes('>ptx_loss</text>'), 'no ptx chart for plain PPO');
  assert.match(html, /128 held-out prompts/);
  assert.match(html, /over 17 probe points: α 1\.20 \(95% interval 0\.87–1\.80; the paper&#39;s √KL law is α 0\.5\), R² against √KL 0\.860, against KL 0\.930/);
  assert.match(html, /first half \(3 probes, filled points\): slope 0\.500, R² 1\.000/);
  // two √KL charts: 5 probe points (3 in the fitted first half: steps ≤ 2) and 4 training points (2 fitted)
  const marks = html.match(/aria-label="√KL\(π‖π₀\) \(nats\^½\): [^"]*; group: [^"]*"/g) ?? [];
  assert.equal(marks.length, 9);
  assert.equal(marks.filter((mark) => mark.endsWith('group: first half (fitted)"')).length, 5);
  assert.ok(marks.includes('aria-label="√KL(π‖π₀) (nats^½): 2; PM reward: 2; group: second half"'), 'the probe at step 4');
  // the KL law: every probe against KL with the curve r₀ + b·KL^α (α 1.2, b 1.17)
  assert.ok(html.includes('aria-label="KL(π‖π₀) (nats): 4; PM reward: 2; group: held-out probe"'), 'the probe at step 4 against KL');
  assert.match(html, /fitted curve r₀ \+ b·KL\^α with α 1\.20, b 1\.17 \(dashed\)/);
});
