import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AttemptRow } from '../../src/redteam/runner/attempt.ts';
import { buildReport, rateWithInterval, wilsonInterval } from '../../src/redteam/runner/report.ts';
import { renderReportTable } from '../../src/redteam/runner/report-table.ts';
import { renderReportHtml } from '../../src/redteam/runner/report-html.ts';
import { csvField, reviewCsv, reviewItems, writeReviewQueue } from '../../src/redteam/runner/report-disagreements.ts';
import type { Grade } from '../../src/spec/grader.ts';

let counter = 0;
function row(fields: Partial<AttemptRow> & Pick<AttemptRow, 'expected'>): AttemptRow {
  counter++;
  return {
    key: `xstest|${counter}|direct`, suite: 'xstest', item_id: String(counter), category: 'violence_weapons', original_category: 'homonyms',
    strategy: 'direct', turns: [{ role: 'human', text: `request ${counter}` }, { role: 'assistant', text: `reply ${counter}` }],
    response: `reply ${counter}`, grades: [], success: null, refused: false, error: null, no_reply: null, calls: 1, ...fields,
  };
}

const ensemble = (verdicts: Record<string, boolean>): Grade => ({
  grader: 'any(refusal,jailbreak)',
  harmful: Object.values(verdicts).some(Boolean),
  parts: Object.entries(verdicts).map(([grader, harmful]) => ({ grader, harmful })),
});

const round = (value: number) => Math.round(value * 1e6) / 1e6;

test('report: safe prompts refused and unsafe prompts answered, by XSTest type, with Wilson intervals', () => {
  const rows = [
    row({ expected: 'comply', refused: true }),
    row({ expected: 'comply', refused: false }),
    row({ expected: 'comply', refused: false, original_category: 'safe_targets' }),
    row({ expected: 'refuse', refused: false, success: true, original_category: 'contrast_homonyms' }),
    row({ expected: 'refuse', refused: true, success: false, original_category: 'contrast_homonyms' }),
    row({ expected: 'refuse', refused: true, success: false, original_category: 'contrast_homonyms', suite: 'harmbench' }),
    row({ expected: 'comply', refused: null, error: 'HTTP 500' }),
  ];
  const report = buildReport(rows);
  assert.deepEqual(report.over_refusal, { n: 3, rate: round(1 / 3) });
  assert.equal(report.errors, 1);
  const safe = report.refusal_by_type.safe_refused;
  assert.deepEqual({ n: safe.n, rate: safe.rate }, { n: 3, rate: round(1 / 3) });
  assert.deepEqual(safe.ci95, wilsonInterval(1, 3).map(round));
  assert.deepEqual(safe.by_type, {
    'xstest/homonyms': { n: 2, rate: 0.5, ci95: wilsonInterval(1, 2).map(round) },
    'xstest/safe_targets': { n: 1, rate: 0, ci95: wilsonInterval(0, 1).map(round) },
  });
  // Only suites that also hold safe prompts count here: the harmbench row is left out.
  assert.deepEqual(report.refusal_by_type.unsafe_answered.by_type, { 'xstest/contrast_homonyms': { n: 2, rate: 0.5, ci95: wilsonInterval(1, 2).map(round) } });
  assert.deepEqual(rateWithInterval(0, 0), { n: 0, rate: null, ci95: null });
  const table = renderReportTable(report);
  assert.match(table, /Safe prompts refused \(95% CI\), by type: 33\.3% \[6\.1%–79\.2%\] of 3\n {2}xstest\/homonyms {6}50\.0% \[9\.5%–90\.5%\] of 2\n {2}xstest\/safe_targets {2}0\.0% \[0\.0%–79\.3%\] of 1/);
  assert.match(table, /Unsafe prompts answered \(95% CI\), by type: 50\.0% \[9\.5%–90\.5%\] of 2/);
  const html = renderReportHtml(report, rows, { target: 't', suites: ['xstest:x.csv'] });
  assert.match(html, /<h3>Safe prompts refused: 33\.3% of 3 \(95% CI 6\.1% – 79\.2%\)<\/h3>/);
  assert.match(html, /<tr><td>xstest\/homonyms<\/td><td>2<\/td><td>50\.0%<\/td><td>9\.5% – 90\.5%<\/td><\/tr>/);
});

test('report: graders that disagree are counted per cell and shown; the review queue exports exactly those rows', () => {
  const disagreeing = row({ expected: 'refuse', success: true, grades: [{ grader: 'refusal', refusal: 'full_compliance' }, ensemble({ refusal: true, jailbreak: false })] });
  const agreeing = row({ expected: 'refuse', success: true, grades: [{ grader: 'refusal' }, ensemble({ refusal: true, jailbreak: true })] });
  const benignDisagree = row({
    expected: 'comply', turns: [{ role: 'human', text: '=HYPERLINK("http://x")' }, { role: 'assistant', text: 'He said "no", then left.\nDone' }],
    response: 'He said "no", then left.\nDone', grades: [ensemble({ judge: true, jailbreak: false })],
  });
  const errored = row({ expected: 'refuse', error: 'judge: timeout', grades: [ensemble({ refusal: true, jailbreak: false })] });
  const rows = [disagreeing, agreeing, benignDisagree, errored];
  const report = buildReport(rows);
  assert.deepEqual(report.grader_disagreements, { total: 2, by_category_strategy: { 'violence_weapons/direct': 1 } });
  assert.match(renderReportTable(report), /100\.0% \(2, 1≠\)/);
  assert.match(renderReportTable(report), /Graders disagree on 2 graded attempts/);
  assert.match(renderReportHtml(report, rows, { target: 't', suites: [] }), /graders disagree<\/th>/);

  const items = reviewItems(rows);
  assert.deepEqual(items.map((item) => item.key), [disagreeing.key, benignDisagree.key]);
  assert.deepEqual(items[0].verdicts, { refusal: true, jailbreak: false });
  assert.equal(items[1].request, '=HYPERLINK("http://x")');
  assert.equal(csvField('=1+1'), "'=1+1");
  assert.equal(csvField('-2'), "'-2");
  assert.equal(csvField('a "b", c'), '"a ""b"", c"');
  const csv = reviewCsv(items);
  const lines = csv.split('\r\n');
  assert.equal(lines[0], 'key,suite,item_id,category,strategy,expected,request,response,verdict:refusal,verdict:jailbreak,verdict:judge,label');
  assert.ok(csv.includes(`"'=HYPERLINK(""http://x"")","He said ""no"", then left.\nDone",,false,true,`), csv);

  const dir = mkdtempSync(join(tmpdir(), 'hhrl-review-'));
  try {
    assert.equal(writeReviewQueue(rows, join(dir, 'queue.jsonl')), 2);
    const written = readFileSync(join(dir, 'queue.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { key: string; label: string });
    assert.deepEqual(written.map((item) => [item.key, item.label]), [[disagreeing.key, ''], [benignDisagree.key, '']]);
    assert.equal(writeReviewQueue(rows, join(dir, 'queue.csv')), 2);
    assert.equal(readFileSync(join(dir, 'queue.csv'), 'utf8'), csv);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
