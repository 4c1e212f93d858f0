import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveWorldConfig } from '../../src/world/config.ts';
import type { WorldConfigOverrides } from '../../src/world/config.ts';
import { generateWorld, worldFiles, worldManifest, writeWorld } from '../../src/world/generate.ts';
import type { GeneratedWorld } from '../../src/world/generate.ts';
import { loadWorld } from '../../src/world/load.ts';
import { moreComparisons } from '../../src/world/comparisons.ts';
import type { WorldComparison } from '../../src/world/comparisons.ts';
import { computeWorldStats } from '../../src/world/stats.ts';
import { EVAL_SET_NAMES } from '../../src/world/prompts.ts';
import type { PromptItem } from '../../src/world/prompts.ts';
import { CRESCENDO_STEPS, quoteOf } from '../../src/attacks/crescendo.ts';
import { ConfigError } from '../../src/spec/errors.ts';
import { Random } from '../../src/util/random.ts';
import { TINY_WORLD_OVERRIDES } from './tiny-world.ts';
import type { Conversation } from '../../src/spec/conversation.ts';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * Every file of `hhrl world generate --seed 0 --size small` as written by the commit before prompt attacks
 * existed (67a75ed), by sha256. `world.json` is the one HEAD wrote: the manifest with the new config keys taken out.
 */
const SMALL_SEED_0 = {
  'annotators.json': '7c0a92c22d27f77001ca4ccbd25ae397933bce6f29d222634780fb9b7963c23f',
  'comparisons/harmless-test.jsonl': '832f48acbc486d038c727d44b3bfdf2b28401bafdfadaf2c168715e4fb434c4a',
  'comparisons/harmless-test.meta.jsonl': 'bb85f5b41488cd8eca504d1ace49ab21e298856cb776eda30314dbbea12904f5',
  'comparisons/harmless-train.jsonl': '7afa436e19a5fd2d2573018a4a3e35aab8d820d6cd2f7a503a8aa061a19d041e',
  'comparisons/harmless-train.meta.jsonl': 'e0427d4c8c0b5f6eedfbe8cf7e2dabd0c7c5020174991518c4414e1410052a7a',
  'comparisons/helpful-test.jsonl': '7634d732e34b0f2123b0b7d7b29e7a7a013510b3549f45d4ecf747b1cb266c05',
  'comparisons/helpful-test.meta.jsonl': 'bdb8b5219a2b46cf266ddb0f4d68932807aa82959b81c6000dc181a0f8a6fb64',
  'comparisons/helpful-train.jsonl': 'dbe5608f2d398623070fe482dbb02b135a05a1757057c71f290dfb598fe9b44d',
  'comparisons/helpful-train.meta.jsonl': '1185a86bfaab255f5544631c2673b9861dc5d93f8da3fbb3be5ec87f94420378',
  'corpus/base.txt': '8fbe2a893fa35e34af5019a1c5c66fb9c35f1ffff9e15e045ee13122f4a2de0b',
  'eval/ambiguous.jsonl': '07a3688ffdc82b29806c1e68f5ee3669b82e92af74217c64b8b2ed7920f6fc72',
  'eval/benign.jsonl': '133318fac064157a99c44255d70b71dd68e57de325b8d7e0dfb8fe18112f794f',
  'eval/borderline.jsonl': '1fab3887a3c84f02908c741dbf83cfd5d13c764ebecc12aec7689e272dd41474',
  'eval/harmful-by-category.jsonl': 'ba77eb71c93c32c69db957084fc1e23c54623d939c113796600983f94da612c6',
  'eval/harmful-by-strategy.jsonl': '016263637de1c672e71c8b095043537d7f6e6405b51118e92402016b368db75f',
  'knowledge.json': 'e078fe4159dc7f53e67f3b771996c0090041b8bbc29aa333fec73a59cc0456f5',
  'prompts/rl-test.jsonl': '049a1c1f5dd5e0b460bcc0dd524f663984918d8efaec2157d0104c16afaffb02',
  'prompts/rl-train.jsonl': '055ebb56d9d8db85a4e526428bdf296edb7459c41dc5054c7161eaa194526b1b',
  'sft/test.jsonl': 'dc5908f4f2b560c86c8d59c1f528f7eb404d92e5491ba536f4df56506f0674e3',
  'sft/train.jsonl': '10ffbae670d6cbd1d8983483be16f962d91bd4b7a6702ef31a5b23f87560717d',
  'world.json': 'fa431453d3179e372026cda9e8b3ca65a9bad77826a21e2ad103ad7562a6140d',
};

/** A world's config as a plain object with the prompt-attack keys taken out (what worlds before them held). */
function withoutAttackKeys(config: object): Record<string, unknown> {
  const copy = JSON.parse(JSON.stringify(config)) as Record<string, Record<string, unknown>>;
  for (const section of ['comparisons', 'pools']) {
    delete copy[section].attackShare;
    delete copy[section].attackStrategies;
  }
  return copy;
}

test('with both attack shares at 0 the small seed-0 world is byte for byte the one written before prompt attacks', () => {
  const world = generateWorld(resolveWorldConfig(0, 'small'));
  const files = worldFiles(world);
  const manifest = worldManifest(world, files);
  const hashes: Record<string, string> = Object.fromEntries([...files].map(([path, text]) => [path, sha256(text)]));
  hashes['world.json'] = sha256(`${JSON.stringify({ ...manifest, config: withoutAttackKeys(manifest.config) }, null, 2)}\n`);
  assert.deepEqual(Object.fromEntries(Object.entries(hashes).sort()), SMALL_SEED_0);
});

/** A tiny world with more harmlessness pairs and pool prompts; a backdoor population checks that labels survive the attacks. */
const tinyOverrides = {
  ...TINY_WORLD_OVERRIDES,
  comparisons: { ...TINY_WORLD_OVERRIDES.comparisons, harmless: { train: 400, test: 100 } },
  pools: { train: 300, test: 100 },
  contamination: { share: 0.2, mode: 'backdoor', triggerShare: 0.3 },
} satisfies WorldConfigOverrides;
const SHARE = 0.5;
const plain = generateWorld(resolveWorldConfig(3, 'small', tinyOverrides));
const attacked = generateWorld(resolveWorldConfig(3, 'small', {
  ...tinyOverrides,
  comparisons: { ...tinyOverrides.comparisons, attackShare: SHARE },
  pools: { ...tinyOverrides.pools, attackShare: SHARE, attackStrategies: ['crescendo', 'roleplay', 'base64'] },
}));

const lastHuman = (conversation: Conversation) => conversation.filter((turn) => turn.role === 'human').at(-1)!.text;

/**
 * Two comparisons that may differ only in the prompt: the same responses, labels and gold; returns whether the
 * attacked one carries a strategy (then its prompt is an attack whose request the oracle still finds).
 */
function sameButPrompt(before: WorldComparison, after: WorldComparison, world: GeneratedWorld): boolean {
  const { strategy, ...meta } = after.meta;
  assert.deepEqual(meta, before.meta);
  assert.deepEqual(after.chosen.at(-1), before.chosen.at(-1));
  assert.deepEqual(after.rejected.at(-1), before.rejected.at(-1));
  if (strategy === undefined) {
    assert.deepEqual(after.chosen, before.chosen);
    assert.deepEqual(after.rejected, before.rejected);
    return false;
  }
  assert.equal(after.meta.family, 'harmful');
  assert.deepEqual(after.chosen.slice(0, -1), after.rejected.slice(0, -1));
  assert.notDeepEqual(after.chosen, before.chosen);
  assert.ok(lastHuman(after.chosen).includes(lastHuman(before.chosen)) || strategy === 'base64', `${strategy}: the request is not in the last human turn`);
  assert.equal(world.model.identify(after.chosen.slice(0, -1))?.id, after.meta.requestId, 'the oracle finds the attacked request');
  return true;
}

/** Binomial bounds: `count` of `n` draws at probability `p` lies within 4 standard deviations of n·p. */
function assertNear(count: number, n: number, p: number, what: string): void {
  const spread = 4 * Math.sqrt(n * p * (1 - p));
  assert.ok(Math.abs(count - n * p) <= spread, `${what}: ${count} of ${n}, expected about ${(n * p).toFixed(0)}`);
}

test('comparisons.attackShare rewrites only the prompts of a share of harmful harmlessness pairs, by each strategy', () => {
  for (const split of ['train', 'test'] as const) {
    assert.deepEqual(attacked.comparisons.sets.helpful[split], plain.comparisons.sets.helpful[split]);
  }
  const before = [...plain.comparisons.sets.harmless.train, ...plain.comparisons.sets.harmless.test];
  const after = [...attacked.comparisons.sets.harmless.train, ...attacked.comparisons.sets.harmless.test];
  const harmful = before.filter((comparison) => comparison.meta.family === 'harmful').length;
  const attackedRows = after.filter((comparison, index) => sameButPrompt(before[index], comparison, attacked));
  for (const strategy of ['roleplay', 'crescendo'] as const) {
    assertNear(attackedRows.filter((comparison) => comparison.meta.strategy === strategy).length, harmful, SHARE / 2, strategy);
  }
  assert.ok(attackedRows.some((comparison) => comparison.meta.trigger), 'some attacked prompts carry the backdoor trigger');
  assert.deepEqual(attacked.comparisons.population, plain.comparisons.population);
  const stats = computeWorldStats(after.map((comparison) => comparison.meta));
  assert.equal(Object.values(stats.attacked.harmless).reduce((sum, count) => sum + count, 0), attackedRows.length);
  assert.equal(stats.attacked.helpful, undefined);
});

/** Check a crescendo conversation: every step with an answer between, the third quoting the answer before it (both its wordings quote), the request last. */
function assertCrescendo(conversation: Conversation, request: string): void {
  assert.equal(conversation.length, 2 * CRESCENDO_STEPS.length - 1);
  conversation.forEach((turn, index) => assert.equal(turn.role, index % 2 === 0 ? 'human' : 'assistant'));
  assert.ok(conversation[4].text.includes(`"${quoteOf(conversation[3].text, '')}"`), conversation[4].text);
  assert.ok(lastHuman(conversation).endsWith(request));
}

test('pools.attackShare attacks a share of the harmful pool prompts; the pool keeps its requests and the crescendo items are transcripts', () => {
  const splits = ['train', 'test'] as const;
  const before: PromptItem[] = splits.flatMap((split) => plain.pools[split]);
  const after: PromptItem[] = splits.flatMap((split) => attacked.pools[split]);
  assert.equal(after.length, before.length);
  let harmful = 0;
  const byStrategy: Record<string, number> = {};
  after.forEach((item, index) => {
    const { strategy, conversation, ...rest } = item;
    const { conversation: plainConversation, ...plainRest } = before[index];
    assert.deepEqual(rest, plainRest);
    if (item.family === 'harmful') harmful++;
    if (strategy === undefined) {
      assert.deepEqual(conversation, plainConversation);
      return;
    }
    assert.equal(item.family, 'harmful');
    byStrategy[strategy] = (byStrategy[strategy] ?? 0) + 1;
    assert.equal(conversation.at(-1)!.role, 'human', 'a pool prompt ends with the human turn the policy answers');
    assert.equal(attacked.model.identify(conversation)?.id, item.request.id, 'the oracle finds the attacked request');
    if (strategy === 'crescendo') assertCrescendo(conversation, item.request.text);
  });
  for (const strategy of ['crescendo', 'roleplay', 'base64']) assertNear(byStrategy[strategy] ?? 0, harmful, SHARE / 3, strategy);
});

test('neither attack share changes the corpus, the SFT demonstrations or the evaluation sets', () => {
  assert.equal(attacked.corpus, plain.corpus);
  assert.deepEqual(attacked.sft, plain.sft);
  for (const name of EVAL_SET_NAMES) assert.deepEqual(attacked.eval[name], plain.eval[name], name);
});

test('moreComparisons attacks its harmlessness prompts like the world\'s own and changes nothing else', () => {
  const counts = { helpful: 40, harmless: 200 };
  const extraPlain = moreComparisons(plain.model, plain.comparisons.population, counts, new Random('extra'));
  const extraAttacked = moreComparisons(attacked.model, attacked.comparisons.population, counts, new Random('extra'));
  const attackedRows = extraAttacked.filter((comparison, index) => sameButPrompt(extraPlain[index], comparison, attacked));
  assert.ok(attackedRows.every((comparison) => comparison.meta.task === 'harmless'));
  assertNear(attackedRows.length, extraPlain.filter((comparison) => comparison.meta.task === 'harmless' && comparison.meta.family === 'harmful').length, SHARE, 'extra attacked');
});

test('a world.json written before prompt attacks (no such keys) loads with both shares at 0', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hhrl-old-world-'));
  try {
    writeWorld(plain, dir);
    const manifestPath = join(dir, 'world.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { config: object };
    writeFileSync(manifestPath, `${JSON.stringify({ ...manifest, config: withoutAttackKeys(manifest.config) }, null, 2)}\n`);
    const loaded = loadWorld(dir, { verify: true });
    assert.deepEqual(loaded.config, plain.model.config);
    assert.equal(loaded.config.comparisons.attackShare, 0);
    assert.deepEqual(loaded.config.pools.attackStrategies, ['roleplay', 'crescendo']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('attack strategies must be a non-empty list of attacks: direct and unknown ids are config errors', () => {
  assert.throws(() => resolveWorldConfig(1, 'small', { pools: { attackStrategies: [] } }), ConfigError);
  assert.throws(() => resolveWorldConfig(1, 'small', { comparisons: { attackStrategies: ['direct' as never] } }), /comparisons\.attackStrategies/);
  assert.throws(() => resolveWorldConfig(1, 'small', { comparisons: { attackShare: 1.5 } }), /comparisons\.attackShare/);
});
