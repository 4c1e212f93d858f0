/**
 * `hhrl report` on real small inputs made by the real commands at toy sizes (`report-fixtures.ts`): a demo folder,
 * the frontier experiment's JSON and the online experiment's JSON. Each section's charts carry the data they were
 * given (checked against the files the commands wrote, through the marks' labels in the SVG), a `<script>` in model
 * output or in a name from the input is inert text, and the page fetches nothing.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildProgram } from '../../src/cli/main.ts';
import { frontierPolicies, type FrontierRates } from '../../src/eval/experiments/frontier-rates.ts';
import { sampleGroup } from '../../src/report/behaviour-samples.ts';
import { points, significant } from '../../src/report/format.ts';
import { renderReport } from '../../src/report/render-report.ts';
import type { EvalSample } from '../../src/train/rollout/world-eval.ts';
import { makeReportFixtures, type ReportFixtures } from './report-fixtures.ts';

const root = mkdtempSync(join(tmpdir(), 'hhrl-report-'));
after(() => rmSync(root, { recursive: true, force: true }));
let fixtures: ReportFixtures;
before(async () => {
  fixtures = await makeReportFixtures(root);
});

const jsonl = (path: string) => readFileSync(path, 'utf8').split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Record<string, unknown>);
/** A number as a chart's mark label writes it (4 significant digits, Vega's minus sign). */
const shown = (value: number) => String(significant(value)).replace('-', '−');
const SCRIPT = '<script>alert("pwned")</script>';
const ESCAPED = '&#60;script&#62;alert(&#34;pwned&#34;)&#60;/script&#62;';

/** The page is inert and self-contained: no script element, no attribute that loads anything. */
function assertSelfContained(html: string): void {
  assert.ok(!/<script/i.test(html), 'no <script> element');
  assert.ok(!/<(?:link|iframe|img|object|embed)\b/i.test(html), 'no element that loads a resource');
  assert.ok(!/\s(?:src|href|xlink:href)\s*=/i.test(html), 'no src or href attribute');
  assert.ok(!/\son[a-z]+\s*=/i.test(html), 'no event handler attribute');
}

test('a demo folder: behaviours, KL law, training curves and calibration charted from its files; model text escaped', async () => {
  const demo = join(root, 'demo-hostile');
  cpSync(fixtures.demo, demo, { recursive: true });
  // a real response of the last evaluation, with a script in it
  const samplesDir = join(demo, 'ppo', 'eval-samples');
  const [firstFile, lastFile] = [readdirSync(samplesDir).sort()[0], readdirSync(samplesDir).sort().at(-1)!];
  const last = jsonl(join(samplesDir, lastFile));
  last[0].response = `${SCRIPT}${String(last[0].response)}`;
  writeFileSync(join(samplesDir, lastFile), last.map((row) => `${JSON.stringify(row)}\n`).join(''));

  const { html, inputs } = await renderReport([demo]);
  assert.deepEqual(inputs, [{ path: demo, kind: 'demo' }]);
  assertSelfContained(html);
  assert.ok(html.includes(ESCAPED), 'the response is shown, as text');

  // the behaviour bars: every (group, policy, behaviour) count of the two evaluations' judged samples
  const first = jsonl(join(samplesDir, firstFile)) as unknown as EvalSample[];
  for (const [series, samples] of [['SFT', first], ['PPO', last as unknown as EvalSample[]]] as const) {
    const counts = new Map<string, Map<string, number>>();
    for (const sample of samples) {
      const group = counts.get(sampleGroup(sample)) ?? new Map<string, number>();
      counts.set(sampleGroup(sample), group);
      group.set(sample.behaviour, (group.get(sample.behaviour) ?? 0) + 1);
    }
    for (const [group, behaviours] of counts) {
      const total = [...behaviours.values()].reduce((a, b) => a + b, 0);
      for (const [behaviour, count] of behaviours) assert.ok(html.includes(`aria-label="${group} · ${series}: ${behaviour} ${count} of ${total} (`), `${group} ${series} ${behaviour}`);
    }
  }
  // the KL law: every held-out probe against KL, and the fitted curve's exponent in the caption
  const summary = JSON.parse(readFileSync(join(demo, 'summary.json'), 'utf8'));
  const rows = jsonl(join(demo, 'ppo', 'metrics.jsonl'));
  const probes = rows.filter((row) => row.kind === 'probe');
  assert.equal(probes.length, 4);
  for (const probe of probes) assert.ok(html.includes(`aria-label="KL(π‖π₀) (nats): ${shown(probe.kl as number)}; PM reward: ${shown(probe.reward as number)}; group: held-out probe"`), `probe at step ${probe.step}`);
  assert.equal(typeof summary.kl_law.alpha, 'number', 'four probes fix an exponent');
  assert.ok(html.includes(`the fitted curve r₀ + b·KL^α with α ${summary.kl_law.alpha.toFixed(2)}`));
  assert.ok(html.includes('curve: r₀ + b·KL^α"'), 'the curve is drawn');
  // the training curves: PM reward at every iteration
  for (const row of rows.filter((r) => r.kind === 'train')) assert.ok(html.includes(`aria-label="iteration: ${row.step}; value: ${shown(row.reward as number)}"`), `reward at ${row.step}`);
  // the reliability diagram: every non-empty bin of the PM's held-out evaluation
  const bins = JSON.parse(readFileSync(join(demo, 'pm-eval.json'), 'utf8')).templated.calibration.bins as { count: number; accuracy: number }[];
  const filled = bins.filter((bin) => bin.count > 0);
  assert.ok(filled.length > 0);
  for (const bin of filled) assert.ok(html.includes(`observed frequency: ${shown(bin.accuracy)}; high:`), `bin with accuracy ${bin.accuracy}`);
  // the on-policy check, from pm-eval.json
  assert.match(html, /12 pairs of PPO's and π₀'s responses/);
});

test('the frontier JSON: every policy a labelled point at its rates; names from the file escaped', async () => {
  const { html, inputs } = await renderReport([fixtures.frontier, join(root, 'frontier-run')]);
  assert.deepEqual(inputs.map((input) => input.kind), ['frontier', 'frontier'], 'the JSON file and the --out folder holding frontier.json');
  assertSelfContained(html);
  const policies = frontierPolicies<FrontierRates>(fixtures.frontierResult);
  assert.equal(policies.length, 5);
  for (const [label, rates] of policies) {
    assert.ok(html.includes(`aria-label="${label} (${points(rates.answer_rate)}, ${points(rates.harm_rate)})"`), `${label} on the frontier`);
  }
  for (const expectation of Object.values(fixtures.frontierResult.expectations)) assert.ok(html.includes(expectation.claim.replace(/'/g, '&#39;')), expectation.claim);

  // a hostile ratio in the file is text in the chart and in the table
  const hostile = join(root, 'frontier-hostile.json');
  const json = JSON.parse(readFileSync(fixtures.frontier, 'utf8'));
  json.mixes[0].ratio = SCRIPT;
  writeFileSync(hostile, JSON.stringify(json));
  const page = (await renderReport([hostile])).html;
  assertSelfContained(page);
  assert.ok(page.includes('aria-label="mix &lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt; ('), 'escaped by the chart');
  assert.ok(page.includes(`<td>mix ${ESCAPED}</td>`), 'escaped in the table');
});

test('the online JSON: gold accuracy of every PM with its interval, and the policies PPO reached', async () => {
  const { html, inputs } = await renderReport([fixtures.online]);
  assert.deepEqual(inputs.map((input) => input.kind), ['online']);
  assertSelfContained(html);
  const labels = { initial: 'demo PM (untouched)', static: 'static (control)', static_plus_static: 'static + static', static_plus_online: 'static + online' } as const;
  for (const [arm, label] of Object.entries(labels) as [keyof typeof labels, string][]) {
    const cell = fixtures.onlineResult.arms[arm];
    assert.ok(html.includes(`group: ${label}; agrees with the oracle (%): ${points(cell.template_gold)}; series: templated test pairs"`), `${arm} templated`);
    const onPolicyMark = `group: ${label}; agrees with the oracle (%): ${points(cell.on_policy_gold)}; series: on-policy pairs (95% CI)"`;
    // at toy size the oracle may tie every held-out pair (both policies garbled): then there is no on-policy bar
    assert.equal(html.includes(onPolicyMark), cell.on_policy_gold !== null, `${arm} on-policy bar only when measured`);
    if (arm === 'initial') continue;
    const after = cell.ppo!.after!;
    assert.ok(html.includes(`group: ${label}; oracle rate (%): ${points(after.harm_rate as number)}; series: harm rate"`), `${arm} PPO harm`);
    assert.ok(html.includes(`group: ${label}; oracle rate (%): ${points(after.helpfulness as number)}; series: helpfulness"`), `${arm} PPO helpfulness`);
  }
});

test('the online JSON: an on-policy accuracy is a bar with its Wilson interval', async () => {
  // the real file with one measured on-policy accuracy (the toy run's oracle may tie every held-out pair)
  const json = JSON.parse(readFileSync(fixtures.online, 'utf8'));
  json.arms.static_plus_online = { ...json.arms.static_plus_online, on_policy_gold: 0.625, on_policy_gold_ci95: [0.386, 0.814], on_policy_by_family: { benign: 0.5, '<b>x</b>': 1 } };
  const edited = join(root, 'online-measured.json');
  writeFileSync(edited, JSON.stringify(json));
  const { html } = await renderReport([edited]);
  assertSelfContained(html);
  assert.ok(html.includes('group: static + online; agrees with the oracle (%): 62.5; series: on-policy pairs (95% CI)"'));
  assert.ok(html.includes('group: static + online; low: 38.6; high: 81.4; series: on-policy pairs (95% CI)"'), 'the interval');
  assert.ok(html.includes('<td>62.5% (38.6%–81.4%)</td>'));
  assert.ok(html.includes('<td>&#60;b&#62;x&#60;/b&#62;</td>'), 'a family name from the file is escaped');
});

test('hhrl report writes one page of every input given, and names each kind', async () => {
  const out = join(root, 'report.html');
  const written: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string) => written.push(chunk) > 0) as typeof process.stdout.write;
  try {
    await buildProgram().parseAsync(['node', 'hhrl', 'report', '--out', out, fixtures.demo, fixtures.frontier, fixtures.online]);
  } finally {
    process.stdout.write = write;
  }
  const html = readFileSync(out, 'utf8');
  assertSelfContained(html);
  assert.equal((html.match(/<section class="input">/g) ?? []).length, 3);
  assert.deepEqual(written.join('').split('\n').filter((line) => line !== '').map((line) => line.split(/\s+/)[0]), ['demo', 'frontier', 'online', 'report']);
});
