/**
 * How `hhrl report` recognises its inputs: an unknown file or folder, bad JSON and a malformed result of a known
 * kind are each a `DataFormatError` naming the path and saying what was expected.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPORT_INPUTS, resolveReportInput } from '../../src/report/inputs/index.ts';
import { REPORT_INPUT_KINDS } from '../../src/report/inputs/report-input.ts';
import { renderReport } from '../../src/report/render-report.ts';
import { DataFormatError } from '../../src/spec/errors.ts';

const root = mkdtempSync(join(tmpdir(), 'hhrl-report-inputs-'));
after(() => rmSync(root, { recursive: true, force: true }));

const file = (name: string, text: string) => {
  const path = join(root, name);
  writeFileSync(path, text);
  return path;
};

/** The error is a DataFormatError whose message names `path` and contains every one of `parts`. */
const formatError = (path: string, ...parts: string[]) => (error: unknown) => {
  assert.ok(error instanceof DataFormatError, `a DataFormatError, got ${String(error)}`);
  assert.equal(error.file, path);
  for (const part of parts) assert.ok(error.message.includes(part), `"${part}" in: ${error.message}`);
  return true;
};

test('every kind of input has its row in the registry', () => {
  assert.deepEqual(Object.keys(REPORT_INPUTS), [...REPORT_INPUT_KINDS]);
});

test('an unknown JSON result is a typed error naming the file, what was found and what is accepted', async () => {
  const unknown = file('tension.json', '{"helpful_only": {"helpful": 0.7}, "mixed": {}}\n');
  assert.throws(() => resolveReportInput(unknown), formatError(unknown, 'found an object with keys helpful_only, mixed', 'demo: a hhrl demo folder', 'frontier: the JSON of hhrl experiment frontier', 'online: the JSON of hhrl experiment online'));
  await assert.rejects(renderReport([unknown]), formatError(unknown, 'not a result hhrl report knows'));
  const array = file('list.json', '[1, 2]');
  assert.throws(() => resolveReportInput(array), formatError(array, 'found a JSON array'));
});

test('bad JSON, a missing path and a folder of nothing known are typed errors naming the path', () => {
  const broken = file('broken.json', '{"kind": "frontier",\n  "sft": }\n');
  assert.throws(() => resolveReportInput(broken), formatError(broken, 'invalid JSON'));
  const missing = join(root, 'nothing-here');
  assert.throws(() => resolveReportInput(missing), formatError(missing, 'no such file or folder'));
  const folder = join(root, 'empty-run');
  mkdirSync(folder);
  writeFileSync(join(folder, 'metrics.jsonl'), '{"step": 1}\n');
  assert.throws(() => resolveReportInput(folder), formatError(folder, 'a folder hhrl report does not know'));
});

test('a known kind with a malformed body is a typed error naming the file and the field', async () => {
  const frontier = file('frontier.json', JSON.stringify({ kind: 'frontier', world: 'w', seed: 0, helpful_only: {}, mixes: [] }));
  await assert.rejects(renderReport([frontier]), formatError(frontier, 'expected the frontier experiment\'s JSON', 'sft'));
  const online = file('online.json', JSON.stringify({ demo: 'd', online: { comparisons: 1, goldTies: 0 }, held_out: { comparisons: 1, goldTies: 0 }, arms: { initial: {} } }));
  await assert.rejects(renderReport([online]), formatError(online, 'expected the online experiment\'s JSON', 'arms.static'));
  const demo = join(root, 'demo');
  mkdirSync(demo);
  writeFileSync(join(demo, 'summary.json'), JSON.stringify({ sft: {}, ppo: {}, kl_law: {}, checks: {}, ppo_settings: {} }));
  await assert.rejects(renderReport([demo]), formatError(join(demo, 'summary.json'), 'expected a hhrl demo summary.json', 'minutes'));
  // a well-formed summary beside a damaged pm-eval.json: the error names pm-eval.json
  const summary = {
    sft: {},
    ppo: {},
    kl_law: { alpha: null, alpha_ci95: [null, null], slope: null, n: 0, resamples: 0 },
    checks: {},
    minutes: 0,
    stage_minutes: {},
    pm: { accuracy: null, gold_accuracy: null, ece: 0, n: 0 },
    ppo_settings: { learning_rate: 1e-4, kl_coef: 0.03, steps: 0, batch: 8 },
    seed: 0,
  };
  writeFileSync(join(demo, 'summary.json'), JSON.stringify(summary));
  writeFileSync(join(demo, 'pm-eval.json'), JSON.stringify({ templated: { n: 3, calibration: { bins: [{ low: 0.5, high: 0.6, count: 3 }] } }, on_policy: null }));
  await assert.rejects(renderReport([demo]), formatError(join(demo, 'pm-eval.json'), 'the demo\'s PM evaluations', 'templated.calibration.bins.0.confidence'));
});
