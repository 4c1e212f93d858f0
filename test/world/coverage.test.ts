import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Random } from '../../src/util/random.ts';
import { resolveWorldConfig } from '../../src/world/config.ts';
import { generateComparisons } from '../../src/world/comparisons.ts';
import { generateWorld, writeWorld } from '../../src/world/generate.ts';
import { loadWorld } from '../../src/world/load.ts';
import { createWorldModel } from '../../src/world/world.ts';
import { TEMPLATES_BY_FAMILY, generateRequest } from '../../src/world/requests.ts';
import { BEHAVIOURS_BY_FAMILY, respond } from '../../src/world/responses.ts';
import { goldPreference } from '../../src/world/annotators.ts';

const counts = { helpful: { train: 600, test: 0 }, harmless: { train: 600, test: 0 } };

test('misread off-topic replies answer another request, and the oracle still calls them off-topic', () => {
  const world = createWorldModel(resolveWorldConfig(4, 'small'));
  const random = new Random(5);
  let answerShaped = 0;
  let total = 0;
  for (const family of ['benign', 'borderline', 'harmful', 'ambiguous'] as const) {
    for (const template of TEMPLATES_BY_FAMILY[family]) {
      const request = generateRequest(template, random, world.knowledge, 'train');
      if (request === undefined) continue;
      for (let draw = 0; draw < 3; draw++) {
        const reply = respond('off_topic', request, random, world.knowledge, { misreadShare: 1 });
        assert.equal(world.judgeRequest(request, reply).behaviour, 'off_topic', `${template.id}: ${reply}`);
        total++;
        if (reply.split(' ').length > 8) answerShaped++; // idle chat is one short sentence
      }
    }
  }
  // nearly all are answers (a few fall back to idle chat after four redraws)
  assert.ok(answerShaped / total > 0.8, `${answerShaped} of ${total} answer-shaped`);
  const idle = respond('off_topic', generateRequest(TEMPLATES_BY_FAMILY.benign[0], random, world.knowledge, 'train')!, random, world.knowledge);
  assert.ok(idle.split(' ').length <= 8, `default off-topic is idle chat: ${idle}`);
});

test('sampled comparisons show every behaviour each family allows, never a gold tie', () => {
  const curated = generateComparisons(createWorldModel(resolveWorldConfig(6, 'small', { comparisons: counts })), new Random(1));
  const sampled = generateComparisons(
    createWorldModel(resolveWorldConfig(6, 'small', { comparisons: { ...counts, sampledShare: 1 } })),
    new Random(1),
  );
  const seen = (sets: typeof sampled) => {
    const out = new Map<string, Set<string>>();
    for (const task of ['helpful', 'harmless'] as const) {
      for (const row of sets.sets[task].train) {
        const key = `${task}:${row.meta.family}`;
        const behaviours = out.get(key) ?? out.set(key, new Set()).get(key)!;
        behaviours.add(row.meta.behaviours.chosen);
        behaviours.add(row.meta.behaviours.rejected);
        assert.notEqual(goldPreference(task, ...verdicts(row)), 'tie');
      }
    }
    return out;
  };
  const world = createWorldModel(resolveWorldConfig(6, 'small'));
  const verdicts = (row: (typeof sampled)['sets']['helpful']['train'][number]) => {
    const request = world.identify(row.chosen.slice(0, -1))!;
    return [world.judgeRequest(request, row.chosen.at(-1)!.text), world.judgeRequest(request, row.rejected.at(-1)!.text)] as const;
  };
  const sampledSeen = seen(sampled);
  const curatedSeen = seen(curated);
  // the harmless task's harmful requests: curated recipes never show a clarifying question or an off-topic reply
  assert.ok(!curatedSeen.get('harmless:harmful')!.has('clarifying_question'));
  assert.ok(!curatedSeen.get('harmless:harmful')!.has('off_topic'));
  for (const [key, behaviours] of sampledSeen) {
    const family = key.split(':')[1] as keyof typeof BEHAVIOURS_BY_FAMILY;
    const expected = BEHAVIOURS_BY_FAMILY[family].filter((b) => !(b === 'partial_answer' && family === 'harmful'));
    const rows = sampled.sets[key.split(':')[0] as 'helpful' | 'harmless'].train.filter((row) => row.meta.family === family).length;
    if (rows < 60) continue; // too few pairs of this family to expect every behaviour
    for (const behaviour of expected) assert.ok(behaviours.has(behaviour), `${key} lacks ${behaviour} in ${rows} pairs`);
  }
});

test('the new options default to off: a world.json written before them still loads', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hhrl-coverage-'));
  try {
    const config = resolveWorldConfig(3, 'small', {
      corpus: { dialogues: 100 }, sft: { train: 20, test: 10 }, comparisons: { helpful: { train: 30, test: 10 }, harmless: { train: 30, test: 10 } },
      pools: { train: 20, test: 10 }, eval: { perCategory: 1, perStrategy: 1, borderline: 2, benign: 2, ambiguous: 2 },
    });
    assert.equal(config.comparisons.sampledShare, 0);
    assert.equal(config.responses.misreadShare, 0);
    writeWorld(generateWorld(config), dir);
    const manifest = JSON.parse(readFileSync(join(dir, 'world.json'), 'utf8'));
    delete manifest.config.comparisons.sampledShare;
    delete manifest.config.responses;
    writeFileSync(join(dir, 'world.json'), JSON.stringify(manifest, null, 2));
    const loaded = loadWorld(dir, { verify: false });
    assert.equal(loaded.config.comparisons.sampledShare, 0);
    assert.equal(loaded.config.responses.misreadShare, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('hhrl world generate --sampled-share --misread-share --comparison-attack-share --pool-attack-share: the options reach world.json; world stats counts the attacked comparisons and stops quietly when its reader goes; a share above 1 is refused', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hhrl-coverage-cli-'));
  try {
    const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
    const hhrl = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', main, ...args], { encoding: 'utf8' });
    const ok = hhrl('world', 'generate', '--seed', '2', '--size', 'small', '--out', join(dir, 'w'), '--sampled-share', '0.4', '--misread-share', '0.5',
      '--comparison-attack-share', '0.3', '--pool-attack-share', '0.2');
    assert.equal(ok.status, 0, ok.stderr);
    const config = JSON.parse(readFileSync(join(dir, 'w', 'world.json'), 'utf8')).config;
    assert.equal(config.comparisons.sampledShare, 0.4);
    assert.equal(config.responses.misreadShare, 0.5);
    assert.equal(config.comparisons.attackShare, 0.3);
    assert.equal(config.pools.attackShare, 0.2);
    const stats = hhrl('world', 'stats', '--dir', join(dir, 'w'));
    assert.equal(stats.status, 0, stats.stderr);
    assert.match(stats.stdout, /\n {4}attacked +\d+ {2}\(crescendo \d+, roleplay \d+\)\n/);
    // A reader that has gone (`| true` closes the pipe before the CLI writes): no stack trace, SIGPIPE's status.
    const piped = spawnSync('bash', ['-c', `"${process.execPath}" --import tsx "${main}" world stats --dir "${join(dir, 'w')}" | true; echo "status=\${PIPESTATUS[0]}"`],
      { encoding: 'utf8' });
    assert.equal(piped.stderr, '');
    assert.equal(piped.stdout.trim(), 'status=141');
    const bad = hhrl('world', 'generate', '--seed', '2', '--size', 'small', '--out', join(dir, 'bad'), '--sampled-share', '1.5');
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /sampled-share/);
    assert.ok(!existsSync(join(dir, 'bad')), 'nothing written');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
