/**
 * `promptsOfCategories`: one slice of a world's RL pool (what `hhrl rl … --categories` trains on), in the pool's order;
 * a category the pool lacks and prompts that are not a world's are refused by name.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPrompts, promptsOfCategories } from '../../src/data/specs/prompts.ts';
import { ConfigError } from '../../src/spec/errors.ts';
import { generateWorld, resolveWorldConfig, writeWorld } from '../../src/world/index.ts';

const root = mkdtempSync(join(tmpdir(), 'hhrl-prompt-categories-'));
after(() => rmSync(root, { recursive: true, force: true }));
const worldDir = join(root, 'world');
writeWorld(generateWorld(resolveWorldConfig(2, 'small')), worldDir);

test('promptsOfCategories keeps exactly the pool\'s prompts of the named categories, in order', () => {
  const spec = `world:${worldDir}`;
  const pool = loadPrompts(spec);
  const cyber = promptsOfCategories(pool, ['cybercrime'], spec);
  assert.ok(cyber.length > 0 && cyber.length < pool.length);
  assert.deepEqual(cyber, pool.filter((item) => item.request?.category === 'cybercrime'));
  const two = promptsOfCategories(pool, ['cybercrime', 'arithmetic'], spec);
  assert.equal(two.length, cyber.length + pool.filter((item) => item.request?.category === 'arithmetic').length);
  assert.deepEqual(two.map((item) => item.id), pool.filter((item) => ['cybercrime', 'arithmetic'].includes(item.request!.category)).map((item) => item.id), 'the pool\'s order');
});

test('promptsOfCategories refuses a category the pool lacks (listing those there are) and prompts that are not a world\'s', () => {
  const spec = `world:${worldDir}`;
  assert.throws(() => promptsOfCategories(loadPrompts(spec), ['cybercrime', 'piracy'], spec), (error: unknown) =>
    error instanceof ConfigError && /no prompt of .* has the category piracy; there are .*cybercrime.*fraud/.test(error.message));
  const file = join(root, 'prompts.jsonl');
  writeFileSync(file, '{"prompt":"\\n\\nHuman: hi"}\n');
  assert.throws(() => promptsOfCategories(loadPrompts(file), ['cybercrime'], file), /are not a world's .* use a world:DIR spec/);
});
