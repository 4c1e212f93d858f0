import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const hhrl = (...args: string[]): string =>
  execFileSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: root, encoding: 'utf8' });

test('hhrl lm train then lm sample: samples continue the prompt and stop at the stop string', () => {
  const out = join(mkdtempSync(join(tmpdir(), 'hhrl-lm-cli-')), 'run');
  const trained = hhrl('lm', 'train', '--text', 'assets/demo-corpus.txt', '--out', out, '--steps', '4', '--size', 'tiny', '--vocab-size', '300', '--threads', '1');
  assert.match(trained, /trained [\d,]+ parameters: loss \d/);
  const sampled = hhrl('lm', 'sample', '--model', out, '--prompt', 'Human: hi', '--samples', '2', '--max-new-tokens', '8', '--seed', '3', '--stop', '\n\nHuman:');
  const rows = sampled.split(`${'-'.repeat(40)}\n`).filter((row) => row !== '');
  assert.equal(rows.length, 2);
  for (const row of rows) {
    assert.ok(row.startsWith('Human: hi'), row);
    assert.ok(!row.slice('Human: hi'.length).includes('\n\nHuman:'));
  }
});
