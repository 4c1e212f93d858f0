import { after, test } from 'node:test';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { HH_DEV_FILE, hhDevBytes } from './real-data.ts';

const folder = mkdtempSync(join(tmpdir(), 'hhrl-data-cli-'));
after(() => rmSync(folder, { recursive: true, force: true }));

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

/**
 * Run `hhrl …` in a child process (the CLI prints to the real stdout, which the test runner also uses) and
 * return what it printed and its exit code.
 */
function hhrl(...args: string[]): { stdout: string; stderr: string; status: number | null } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], { encoding: 'utf8' });
  return { stdout: result.stdout, stderr: result.stderr, status: result.status };
}

test('hhrl data import → export → stats on the real dev file', () => {
  const store = join(folder, 'store.sqlite');
  const first = hhrl('data', 'import', HH_DEV_FILE, '--store', store);
  assert.equal(first.status, 0, first.stderr);
  assert.match(first.stdout, /1800 rows → 1800 added, 0 already stored, 0 skipped \(task harmless, source harmless-base-test\.dev\.jsonl\.gz\)/);
  const second = hhrl('data', 'import', HH_DEV_FILE, '--store', store, '--json');
  const report = JSON.parse(second.stdout) as { added: number; duplicates: number };
  assert.deepEqual([report.added, report.duplicates], [0, 1800]);
  const out = join(folder, 'out.jsonl.gz');
  const exported = hhrl('data', 'export', '--store', store, '--format', 'hh', '--out', out);
  assert.match(exported.stdout, /1800 comparisons, 2532493 bytes \(hh\)/);
  assert.ok(gunzipSync(readFileSync(out)).equals(hhDevBytes()));
  const stats = JSON.parse((hhrl('data', 'stats', '--store', store, '--json')).stdout) as { comparisons: number; byTask: object; writes: number };
  assert.deepEqual([stats.comparisons, stats.byTask, stats.writes], [1800, { harmless: 1800 }, 2]);
  const table = (hhrl('data', 'stats', '--store', store)).stdout;
  assert.match(table, /1800 comparisons from 2 writes/);
  assert.match(table, /mean turns 4\.96 \(shared prefix 3\.96\)/);
  const missing = hhrl('data', 'stats', '--store', join(folder, 'absent.sqlite'));
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /^hhrl: StoreError: .*absent\.sqlite: cannot open the store/);
});

test('hhrl data import: default mode reports skipped rows on stderr; --strict fails and writes nothing', () => {
  const store = join(folder, 'bad.sqlite');
  const file = join(folder, 'bad.jsonl');
  writeFileSync(file, '{"chosen": "\\n\\nHuman: a\\n\\nAssistant: b", "rejected": "\\n\\nHuman: a\\n\\nAssistant: c"}\nnot json\n');
  const strict = hhrl('data', 'import', file, '--store', store, '--task', 'helpful', '--strict');
  assert.equal(strict.status, 2);
  assert.ok(strict.stderr.startsWith(`hhrl: DataFormatError: ${file}:2: expected one JSON object per line`), strict.stderr);
  assert.equal(JSON.parse((hhrl('data', 'stats', '--store', store, '--json')).stdout).comparisons, 0);
  const lenient = hhrl('data', 'import', file, '--store', store, '--task', 'helpful');
  assert.equal(lenient.status, 0);
  assert.match(lenient.stdout, /\+1 comparisons \(0 duplicates, 1 skipped\)/);
  assert.match(lenient.stderr, /skipped 1 bad rows: 1 invalid-json; first ones:\n {2}.*bad\.jsonl:2: expected one JSON object per line/);
});

test('hhrl data import joins a world file\'s .meta.jsonl (or --meta FILE); --no-meta skips it', async () => {
  const { comparisonFiles, generateWorld, resolveWorldConfig, writeWorld } = await import('../../src/world/index.ts');
  const world = join(folder, 'world');
  writeWorld(generateWorld(resolveWorldConfig(5, 'small')), world);
  const file = join(world, comparisonFiles('harmless', 'test').hh);
  const meta = join(world, comparisonFiles('harmless', 'test').meta);
  const store = join(folder, 'world.sqlite');
  const found = hhrl('data', 'import', file, '--store', store);
  assert.equal(found.status, 0, found.stderr);
  assert.ok(found.stdout.includes(`(task harmless, source harmless-test.jsonl, metadata ${meta})`), found.stdout);
  const stats = JSON.parse(hhrl('data', 'stats', '--store', store, '--json').stdout) as { withAnnotator: number; comparisons: number };
  assert.deepEqual([stats.withAnnotator, stats.comparisons], [200, 200]);
  const skipped = hhrl('data', 'import', file, '--store', join(folder, 'bare.sqlite'), '--no-meta', '--json');
  assert.equal((JSON.parse(skipped.stdout) as { files: { meta: string | null }[] }).files[0].meta, null);
  const shortMeta = join(folder, 'short.meta.jsonl');
  writeFileSync(shortMeta, readFileSync(meta, 'utf8').split('\n').slice(0, 150).join('\n'));
  const bad = hhrl('data', 'import', file, '--store', join(folder, 'bad.sqlite'), '--meta', shortMeta);
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, new RegExp(`${shortMeta}:151: expected a metadata row for row 151 of .*harmless-test\\.jsonl; this file has only 150 rows`));
});
