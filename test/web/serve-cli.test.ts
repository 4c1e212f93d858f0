import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseGptConfig } from '../../src/model/gpt-config.ts';
import { GptModel } from '../../src/model/gpt-model.ts';
import { BpeTokenizer } from '../../src/model/tokenizer/index.ts';

function saveTinyCheckpoint(dir: string): void {
  const tokenizer = BpeTokenizer.fromBytes();
  GptModel.create(parseGptConfig({ vocabSize: tokenizer.vocabSize, layers: 1, dModel: 16, heads: 2, context: 64 }), { lm: true }, tokenizer, 3).save(dir);
}

function spawnServe(args: string[], env: Record<string, string> = {}): ChildProcess & { stderr: NonNullable<ChildProcess['stderr']> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return child as ChildProcess & { stderr: NonNullable<ChildProcess['stderr']> };
}

/** Start `hhrl serve` and resolve to its base URL once it listens (rejects with its stderr if it exits). */
function startServe(child: ReturnType<typeof spawnServe>): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let text = '';
    child.stderr.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const match = /at (http:\/\/\S+\/v1)/.exec(text);
      if (match !== null) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${text}`)));
  });
}

/** Run `hhrl serve` expecting it to refuse: its exit code and stderr. */
function refusal(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawnServe(args);
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stderr })));
}

test('hhrl serve --model DIR --port 0 serves a checkpoint with an API key from the environment', async () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'hhrl-serve-cli-')), 'tiny');
  saveTinyCheckpoint(dir);
  const child = spawnServe(['--model', dir, '--port', '0', '--api-key-env', 'SERVE_KEY'], { SERVE_KEY: 'k' });
  try {
    const url = await startServe(child);
    assert.equal((await fetch(`${url}/models`)).status, 401);
    const models = await fetch(`${url}/models`, { headers: { authorization: 'Bearer k' } });
    assert.deepEqual(((await models.json()) as { data: { id: string }[] }).data.map((model) => model.id), ['tiny']);
    const completion = await fetch(`${url}/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer k', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'tiny', messages: [{ role: 'user', content: 'Hi' }], max_tokens: 5, temperature: 0 }),
    });
    assert.equal(completion.status, 200);
    const body = (await completion.json()) as { choices: { message: { content: string }; finish_reason: string }[]; usage: { prompt_tokens: number } };
    assert.equal(typeof body.choices[0].message.content, 'string');
    assert.ok(['stop', 'length'].includes(body.choices[0].finish_reason));
    assert.equal(body.usage.prompt_tokens, '\n\nHuman: Hi\n\nAssistant:'.length);
  } finally {
    child.kill('SIGINT');
  }
});

test('hhrl serve --model RUN serves the run folder\'s newest checkpoint under the run\'s name, with the concurrency flags', async () => {
  const run = join(mkdtempSync(join(tmpdir(), 'hhrl-serve-run-')), 'ppo');
  mkdirSync(run);
  writeFileSync(join(run, 'config.json'), JSON.stringify({ method: 'ppo', steps: 2 })); // a run's config, not a checkpoint's
  saveTinyCheckpoint(join(run, 'checkpoints', '00000002'));
  const child = spawnServe(['--model', `${run}/`, '--port', '0', '--max-concurrent', '2', '--max-queued', '0']);
  try {
    const url = await startServe(child);
    const models = (await (await fetch(`${url}/models`)).json()) as { data: { id: string }[] };
    assert.deepEqual(models.data.map((model) => model.id), ['ppo']);
  } finally {
    child.kill('SIGINT');
  }
});

test('hhrl serve refuses a non-loopback --host without an API key, and a folder that holds no model, naming what it expected', async () => {
  const root = mkdtempSync(join(tmpdir(), 'hhrl-serve-bad-'));
  saveTinyCheckpoint(join(root, 'tiny'));
  const exposed = await refusal(['--model', join(root, 'tiny'), '--host', '0.0.0.0', '--port', '0']);
  assert.equal(exposed.code, 2);
  assert.match(exposed.stderr, /^hhrl: ConfigError: --host 0\.0\.0\.0 is not a loopback address, and no API key is set: .* pass --insecure to serve it openly anyway\n$/);
  mkdirSync(join(root, 'empty'));
  writeFileSync(join(root, 'empty', 'config.json'), '{"format": 2}');
  const empty = await refusal(['--model', join(root, 'empty'), '--port', '0']);
  assert.equal(empty.code, 2);
  assert.equal(
    empty.stderr,
    `hhrl: CheckpointError: --model ${join(root, 'empty')}: neither a checkpoint nor a run folder with model/ or checkpoints/. ` +
      'Expected a checkpoint folder (config.json + model.safetensors, as hhrl training writes them) or a run folder holding model/ or checkpoints/<step>/\n',
  );
});
