/**
 * Run folders: what a kill leaves (staging folders, temp files, `.old-*` folders) is cleaned up on the next
 * start and reported; `--out` at a folder that is not a run folder of the same command — a checkpoint, a
 * world, any non-empty folder, another command's run — is refused before anything in it changes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, DataFormatError } from '../../src/spec/errors.ts';
import { LM_RUN, trainLanguageModel } from '../../src/train/lm/lm-trainer.ts';
import { trainPpo } from '../../src/train/ppo/ppo-trainer.ts';
import { PM_RUN } from '../../src/train/preference/run-folder.ts';
import { RunFolder } from '../../src/train/run-folder.ts';
import { recoverFolder } from '../../src/util/atomic-write.ts';
import { generateWorld, resolveWorldConfig, writeWorld } from '../../src/world/index.ts';
import { lowercaseShare, PROMPTS, tempDir, TINY_RL, tinyPolicy } from './rl/fixtures.ts';

const CORPUS = fileURLToPath(new URL('../../assets/demo-corpus.txt', import.meta.url));
const dir = tempDir('hhrl-run-folder-');

/** Every file below `folder` with its bytes, to show that a refused run changed nothing. */
function snapshot(folder: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (path: string, name: string): void => {
    if (statSync(path).isDirectory()) for (const entry of readdirSync(path).sort()) walk(join(path, entry), `${name}/${entry}`);
    else files[name] = readFileSync(path).toString('base64');
  };
  walk(folder, '.');
  return files;
}

test('recoverFolder removes staging folders and temp files, renames a lone .old-* folder back, removes one that was replaced', () => {
  const folder = join(dir, 'recover');
  mkdirSync(join(folder, '.00000010.staging-12-345'), { recursive: true });
  writeFileSync(join(folder, '.00000010.staging-12-345', 'model.safetensors'), 'half');
  writeFileSync(join(folder, '.metrics.jsonl.12.0.tmp'), '{"step":');
  mkdirSync(join(folder, 'model.old-12-3'));
  writeFileSync(join(folder, 'model.old-12-3', 'config.json'), '{"kept":true}');
  mkdirSync(join(folder, 'best.old-12-4'));
  mkdirSync(join(folder, 'best'));
  writeFileSync(join(folder, 'notes.old.txt'), 'not a leftover');
  assert.deepEqual(recoverFolder(folder), [
    `removed ${join(folder, '.00000010.staging-12-345')} (a write cut short by a kill)`,
    `removed ${join(folder, '.metrics.jsonl.12.0.tmp')} (a write cut short by a kill)`,
    `removed ${join(folder, 'best.old-12-4')} (replaced by ${join(folder, 'best')})`,
    `restored ${join(folder, 'model')} from ${join(folder, 'model.old-12-3')} (its replacement was cut short by a kill)`,
  ]);
  assert.deepEqual(readdirSync(folder).sort(), ['best', 'model', 'notes.old.txt']);
  assert.equal(readFileSync(join(folder, 'model', 'config.json'), 'utf8'), '{"kept":true}');
  assert.deepEqual(recoverFolder(folder), [], 'a second start finds nothing to do');
  assert.deepEqual(recoverFolder(join(dir, 'absent')), []);
});

test('starting a run cleans up its folder and its subfolders and logs each path', () => {
  const folder = join(dir, 'lm-run');
  const run = new RunFolder(folder, LM_RUN, (message) => notes.push(message));
  const notes: string[] = [];
  const config = LM_RUN.config.parse({ text: CORPUS });
  run.start(config, false);
  mkdirSync(join(run.checkpointsDir, '.00000020.staging-7-8'), { recursive: true });
  writeFileSync(join(folder, '.config.json.7.1.tmp'), '{');
  run.start(config, true);
  assert.deepEqual(notes, [
    `removed ${join(folder, '.config.json.7.1.tmp')} (a write cut short by a kill)`,
    `removed ${join(run.checkpointsDir, '.00000020.staging-7-8')} (a write cut short by a kill)`,
  ]);
  assert.deepEqual(readdirSync(folder).sort(), ['checkpoints', 'config.json']);
  // a PM run's own entries (model/, best/, a PMP stage's pmp/) are its own, not foreign
  const pm = join(dir, 'pm-run');
  mkdirSync(join(pm, 'pmp'), { recursive: true });
  new RunFolder(pm, PM_RUN).start(PM_RUN.config.parse({}), false);
  assert.ok(existsSync(join(pm, 'config.json')));
});

test('--out at a checkpoint, a world, a non-empty folder or another command\'s run is refused and left as it was', async () => {
  const checkpoint = join(dir, 'checkpoint');
  tinyPolicy(checkpoint);
  const world = join(dir, 'world');
  writeWorld(generateWorld(resolveWorldConfig(2, 'small')), world);
  const notes = join(dir, 'notes');
  mkdirSync(notes);
  writeFileSync(join(notes, 'todo.txt'), 'keep me');
  const lmRun = join(dir, 'lm-done');
  mkdirSync(join(lmRun, 'checkpoints'), { recursive: true });
  writeFileSync(join(lmRun, 'config.json'), `${JSON.stringify(LM_RUN.config.parse({ text: CORPUS, size: 'tiny' }))}\n`);
  writeFileSync(join(lmRun, 'metrics.jsonl'), '{"step":1,"loss":5}\n');
  const lm = (out: string, resume = false) => trainLanguageModel({ text: CORPUS, size: 'tiny', steps: 1 }, out, { resume });
  const refused = async (train: () => Promise<unknown>, folder: string, expected: RegExp) => {
    const before = snapshot(folder);
    await assert.rejects(train, (error: unknown) => (error instanceof ConfigError || error instanceof DataFormatError) && expected.test(error.message));
    assert.deepEqual(snapshot(folder), before, `${folder} is unchanged`);
  };
  await refused(() => lm(checkpoint), checkpoint, /is not a run folder of hhrl lm train \(it holds model\.safetensors, tokenizer\.json\); choose another --out/);
  await refused(() => lm(checkpoint, true), checkpoint, /checkpoint\/config\.json: expected the config\.json of an hhrl lm train run/);
  await refused(() => lm(world), world, /is not a run folder of hhrl lm train \(it holds /);
  await refused(() => lm(notes), notes, /is not a run folder of hhrl lm train \(it holds todo\.txt\)/);
  const backup = join(dir, 'backup');
  mkdirSync(join(backup, 'photos.old-2020-1'), { recursive: true });
  await refused(() => lm(backup), backup, /it holds photos\.old-2020-1\)/);
  await refused(() => lm(join(notes, 'todo.txt')), notes, /todo\.txt is a file, not a run folder of hhrl lm train/);
  // another command's run: its config.json is neither overwritten (fresh) nor taken as this run's (resume)
  const ppo = (resume: boolean) => trainPpo({ ...TINY_RL, steps: 1 }, { policy: checkpoint, prompts: PROMPTS, reward: lowercaseShare }, lmRun, { resume });
  await refused(() => ppo(false), lmRun, /lm-done\/config\.json: expected the config\.json of an hhrl rl ppo run/);
  await refused(() => ppo(true), lmRun, /lm-done\/config\.json: expected the config\.json of an hhrl rl ppo run/);
});

test('the CLI prints a bad --out and a bad data line as typed errors with exit code 2, not stack traces', () => {
  const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
  const hhrl = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', main, ...args], { encoding: 'utf8' });
  const checkpoint = join(dir, 'cli-checkpoint');
  tinyPolicy(checkpoint);
  const before = snapshot(checkpoint);
  const lm = hhrl('lm', 'train', '--text', CORPUS, '--out', checkpoint, '--size', 'tiny', '--steps', '1');
  assert.equal(lm.status, 2, lm.stderr);
  assert.equal(lm.stderr, `hhrl: ConfigError: ${checkpoint} is not a run folder of hhrl lm train (it holds model.safetensors, tokenizer.json); choose another --out\n`);
  assert.deepEqual(snapshot(checkpoint), before);
  const data = join(dir, 'demos.jsonl');
  writeFileSync(data, '{"transcript":"\\n\\nHuman: hi\\n\\nAssistant: hello"}\nnull\n');
  const sft = hhrl('sft', '--base', checkpoint, '--data', data, '--out', join(dir, 'cli-sft'), '--steps', '1', '--threads', '1');
  assert.equal(sft.status, 2, sft.stderr);
  assert.match(sft.stderr, new RegExp(`^hhrl: DataFormatError: ${data.replace(/[.]/g, '\\.')}:2: expected a JSON object with a "transcript"`));
});
