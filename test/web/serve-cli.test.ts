import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseGptConfig } from '../../src/model/gpt-config.ts';
import { GptModel } from '../../src/model/gpt-model.ts';
import { BpeTokenizer } from '../../src/model/tokenizer/index.ts';

test('hhrl serve --model DIR --port 0 serves a checkpoint with an API key from the environment', async () => {
  const tokenizer = BpeTokenizer.fromBytes();
  const dir = join(mkdtempSync(join(tmpdir(), 'hhrl-serve-cli-')), 'tiny');
  GptModel.create(parseGptConfig({ vocabSize: tokenizer.vocabSize, layers: 1, dModel: 16, heads: 2, context: 64 }), { lm: true }, tokenizer, 3).save(dir);
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--model', dir, '--port', '0', '--api-key-env', 'SERVE_KEY'], {
    env: { ...process.env, SERVE_KEY: 'k' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let text = '';
      child.stderr.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        const match = /at (http:\/\/\S+\/v1)/.exec(text);
        if (match !== null) resolve(match[1]);
      });
      child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${text}`)));
    });
    assert.equal((await fetch(`${url}/models`)).status, 401);
    const models = await fetch(`${url}/models`, { headers: { authorization: 'Bearer k' } });
    assert.deepEqual(((await models.json()) as { data: { id: string }[] }).data.map((model) => model.id), ['tiny']);
    const completion = await fetch(`${url}/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer k', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'tiny', messages: [{ role: 'user', content: 'Hi' }], max_tokens: 5, temperature: 0 }),
    });
    assert.equal(completion.status, 200);
    const body = (await completion.json()) as { choices: { message: { content: string }; finish_reason: string }[] };
    assert.equal(typeof body.choices[0].message.content, 'string');
    assert.ok(['stop', 'length'].includes(body.choices[0].finish_reason));
  } finally {
    child.kill('SIGINT');
  }
});
