import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseGptConfig } from '../../src/model/gpt-config.ts';
import { GptModel } from '../../src/model/gpt-model.ts';
import { BpeTokenizer } from '../../src/model/tokenizer/index.ts';
import { CheckpointError } from '../../src/spec/errors.ts';
import { loadChatModelFolder } from '../../src/web/model-folder.ts';
import { loadPolicy } from '../../src/web/feedback/policies.ts';

function saveTiny(dir: string, seed: number): void {
  const tokenizer = BpeTokenizer.fromBytes();
  GptModel.create(parseGptConfig({ vocabSize: tokenizer.vocabSize, layers: 1, dModel: 16, heads: 2, context: 32 }), { lm: true }, tokenizer, seed).save(dir);
}

test('a checkpoint folder, and a run folder through its latest checkpoint, load as a chat model named after the folder given', async () => {
  const root = mkdtempSync(join(tmpdir(), 'hhrl-model-folder-'));
  saveTiny(join(root, 'ckpt'), 1);
  saveTiny(join(root, 'ppo', 'checkpoints', '00000004'), 2);
  saveTiny(join(root, 'ppo', 'checkpoints', '00000032'), 3);
  writeFileSync(join(root, 'ppo', 'config.json'), '{"config": {}, "inputs": {}}'); // a run folder's own config is not a checkpoint's
  assert.equal(loadChatModelFolder(join(root, 'ckpt'), '--model').id, 'ckpt');
  const policy = loadPolicy(`${join(root, 'ppo')}/`, { maxTokens: 4, temperature: 1 });
  assert.equal(policy.id, 'ppo');
  const latest = GptModel.load(join(root, 'ppo', 'checkpoints', '00000032')).model;
  const reply = await policy.complete([{ role: 'human', text: 'abc' }], { maxTokens: 4, temperature: 0, stop: [], seed: 1 });
  const direct = await loadChatModelFolder(join(root, 'ppo', 'checkpoints', '00000032'), '--policy').complete([{ role: 'human', text: 'abc' }], { maxTokens: 4, temperature: 0, stop: [], seed: 1 });
  assert.equal(reply.text, direct.text, 'the run folder serves its latest checkpoint');
  await latest.release();
});

test('a folder without a model is a CheckpointError naming the flag, the folder and what was expected', () => {
  const root = mkdtempSync(join(tmpdir(), 'hhrl-model-folder-bad-'));
  mkdirSync(join(root, 'empty'));
  assert.throws(
    () => loadPolicy(join(root, 'empty'), { maxTokens: 4, temperature: 1 }),
    (error: unknown) =>
      error instanceof CheckpointError &&
      error.message === `--policy ${join(root, 'empty')}: neither a checkpoint nor a run folder with model/ or checkpoints/. Expected a checkpoint folder (config.json + model.safetensors, as hhrl training writes them) or a run folder holding model/ or checkpoints/<step>/`,
  );
});
