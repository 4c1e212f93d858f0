import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
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

test('Ctrl-C stops hhrl lm train at a step boundary (exit 130, checkpoint intact) and --resume finishes the run', async () => {
  const out = join(mkdtempSync(join(tmpdir(), 'hhrl-lm-sigint-')), 'run');
  const args = ['lm', 'train', '--text', 'assets/demo-corpus.txt', '--out', out, '--steps', '400', '--size', 'tiny', '--vocab-size', '300', '--threads', '1', '--checkpoint-every', '5'];
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // interrupt once the first checkpoint exists
  const checkpoints = join(out, 'checkpoints');
  while (!(existsSync(checkpoints) && readdirSync(checkpoints).length > 0)) await new Promise((resolve) => setTimeout(resolve, 50));
  child.kill('SIGINT');
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 130, stderr);
  assert.match(stderr, /training stopped at step \d+; resume with --resume/);
  const stoppedAt = Number(/stopped at step (\d+)/.exec(stderr)![1]);
  assert.ok(stoppedAt < 400, `stopped at ${stoppedAt}`);
  const resumed = hhrl(...args, '--resume');
  assert.match(resumed, /trained [\d,]+ parameters/);
  assert.ok(readdirSync(checkpoints).some((name) => Number(name) === 400), 'the resumed run reached step 400');
});
