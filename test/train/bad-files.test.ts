/**
 * Bad files are errors with file and line (issue #16 item 5), never TypeErrors: prompt files, SFT data,
 * best-of-n chunks and run-folder JSON (`config.json`, `trainer.json`, `summary.json`, `metrics.jsonl`),
 * each with a `null` line, a wrong type and a missing field.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataFormatError } from '../../src/spec/errors.ts';
import { BON_RUN, promptsFingerprint, runBestOfN } from '../../src/train/bon/bon-run.ts';
import { LM_RUN } from '../../src/train/lm/lm-trainer.ts';
import { PM_TRAINER_JSON, PmSummarySchema, PmTrainerJsonSchema } from '../../src/train/preference/run-folder.ts';
import { loadPrompts } from '../../src/data/specs/prompts.ts';
import { RunFolder, trainerState } from '../../src/train/run-folder.ts';
import { loadDemonstrations } from '../../src/data/specs/demonstrations.ts';
import { readJsonFile } from '../../src/util/json-input.ts';
import { lowercaseShare, PROMPTS, tempDir, tinyPolicy } from './rl/fixtures.ts';

const dir = tempDir('hhrl-bad-files-');
let files = 0;
/** Write `text` to a fresh file and return its path. */
const fileWith = (text: string, name = `file-${files++}.jsonl`) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

/** `read` fails with a DataFormatError naming `file`, `line` and a message matching `expected`. */
async function assertBad(read: () => unknown, file: string, line: number | undefined, expected: RegExp): Promise<void> {
  await assert.rejects(
    async () => read(),
    (error: unknown) => {
      assert.ok(error instanceof DataFormatError, `expected a DataFormatError, got ${String(error)}`);
      assert.equal(error.file, file);
      assert.equal(error.line, line);
      assert.match(error.message, expected);
      assert.ok(error.message.startsWith(line === undefined ? `${file}: ` : `${file}:${line}: `), error.message);
      return true;
    },
  );
}

const PROMPT = '{"prompt":"\\n\\nHuman: hi\\n\\nAssistant:"}';
const DEMO = '{"transcript":"\\n\\nHuman: hi\\n\\nAssistant: hello"}';

test('prompt files: a null line, a wrong type and a missing field name the file and line', async () => {
  assert.equal(loadPrompts(fileWith(`${PROMPT}\n\n{"conversation":[{"role":"human","text":"yo"}],"id":"b"}\n`)).length, 2);
  let path = fileWith(`${PROMPT}\nnull\n`);
  await assertBad(() => loadPrompts(path), path, 2, /\(row\): Invalid input: expected object, received null/);
  path = fileWith(`${PROMPT}\n{"prompt":7}\n`);
  await assertBad(() => loadPrompts(path), path, 2, /prompt: Invalid input: expected string, received number/);
  path = fileWith(`${PROMPT}\n\n{"id":"x","conversation":[{"role":"human","text":3}]}\n`);
  await assertBad(() => loadPrompts(path), path, 3, /conversation\.0\.text: Invalid input: expected string, received number/);
  path = fileWith(`{"id":"x"}\n`);
  await assertBad(() => loadPrompts(path), path, 1, /expected a "prompt" string or a "conversation" array/);
  path = fileWith(`${PROMPT}\n{"prompt":`);
  await assertBad(() => loadPrompts(path), path, 2, /invalid JSON/);
});

test('SFT data: a null line, a wrong type and a missing field name the file and line', async () => {
  assert.deepEqual(loadDemonstrations(fileWith(`${DEMO}\n`)), ['\n\nHuman: hi\n\nAssistant: hello']);
  let path = fileWith(`${DEMO}\nnull\n`);
  await assertBad(() => loadDemonstrations(path), path, 2, /expected object, received null/);
  path = fileWith(`${DEMO}\n${DEMO}\n{"transcript":["a"]}\n`);
  await assertBad(() => loadDemonstrations(path), path, 3, /transcript: Invalid input: expected string, received array/);
  path = fileWith(`{"text":"\\n\\nHuman: hi\\n\\nAssistant: hello"}\n`);
  await assertBad(() => loadDemonstrations(path), path, 1, /expected a "transcript" \(or "chosen"\) string/);
});

test('best-of-n chunks: a null line, a wrong type and a missing field name the chunk file and line', async () => {
  const policy = tinyPolicy(join(dir, 'policy'));
  const options = { n: 2, batch: 4, seed: 1, chunk: 2, maxPromptTokens: 24, maxNewTokens: 4, temperature: 1, topK: 0, topP: 1 };
  const good = (id: string) => JSON.stringify({ id, responses: ['a', 'b'], rewards: [0.1, 0.2], best: 1 });
  const cases: [string, RegExp][] = [
    [`${good('p0')}\nnull\n`, /expected object, received null/],
    [`${good('p0')}\n${JSON.stringify({ id: 'p1', responses: ['a', 'b'], rewards: [0.1, '0.2'], best: 1 })}\n`, /rewards\.1: Invalid input: expected number, received string/],
    [`${good('p0')}\n${JSON.stringify({ id: 'p1', responses: ['a', 'b'], rewards: [0.1, 0.2] })}\n`, /best: Invalid input: expected number, received undefined/],
  ];
  for (const [index, [text, expected]] of cases.entries()) {
    const run = join(dir, `bon-${index}`);
    mkdirSync(join(run, 'chunks'), { recursive: true });
    writeFileSync(join(run, 'config.json'), JSON.stringify({ options, inputs: { dataFingerprint: promptsFingerprint(PROMPTS) } }));
    const chunk = join(run, 'chunks', '000000.jsonl');
    writeFileSync(chunk, text);
    await assertBad(() => runBestOfN(policy, PROMPTS, lowercaseShare, options, { dir: run, resume: true }), chunk, 2, expected);
  }
  await policy.release();
});

test('run-folder JSON: config.json, trainer.json and summary.json that are null, of a wrong type or missing a field name the file', async () => {
  const run = (config: string) => {
    const folder = join(dir, `run-${files++}`);
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'config.json'), config);
    return new RunFolder(folder, LM_RUN);
  };
  for (const [config, expected] of [
    ['null\n', /the config\.json of an hhrl lm train run \(\(row\): Invalid input: expected object, received null\)/],
    ['{"text":"a.txt","steps":"ten"}\n', /steps: Invalid input: expected number, received string/],
    ['{"steps":10}\n', /text: Invalid input: expected string, received undefined/],
    ['{\n  "text": "a.txt",\n  "steps": 10,\n}\n', /:4: expected .*invalid JSON/],
    ['{\n  "text": "a.txt",\n  "steps": [1,\n\n', /:3: expected .*invalid JSON: Unexpected end of JSON input/], // cut short: the last line holding text
    ['{\n  "text": "a.txt",\n  "steps": 1\n\n', /:3: expected .*invalid JSON: Expected ',' or '}'/], // a missing brace: reported at the end of the text, not on the blank line after it
  ] as const) {
    const folder = run(config);
    const line = config.startsWith('{\n') ? (config.includes('}') ? 4 : 3) : undefined;
    await assertBad(() => folder.savedConfig(), folder.configPath, line, expected);
    // resuming goes through the same check before anything in the folder is touched
    await assertBad(() => folder.start(LM_RUN.config.parse({ text: 'a.txt' }), true), folder.configPath, line, expected);
  }
  // without a kind (the CLI reading a run's probe settings) config.json must still be an object
  const plain = new RunFolder(run('null').dir);
  await assertBad(() => plain.savedConfig(), plain.configPath, undefined, /expected object, received null/);
  const bon = new RunFolder(run('{"options":{"n":2,"batch":4,"seed":1,"chunk":"8"},"inputs":{}}').dir, BON_RUN);
  await assertBad(() => bon.savedConfig(), bon.configPath, undefined, /options\.chunk: Invalid input: expected number, received string/);

  const checkpoint = join(dir, 'checkpoint');
  mkdirSync(checkpoint);
  const trainer = join(checkpoint, 'trainer.json');
  const state = { step: 4, dataFingerprint: 'abc', best: { step: 3, loss: 0.6, accuracy: 0.5, pairs: 8 }, staleEvaluations: 0 };
  writeFileSync(trainer, JSON.stringify(state));
  assert.deepEqual(trainerState(checkpoint, PmTrainerJsonSchema, PM_TRAINER_JSON), state);
  for (const [text, expected] of [
    ['null', /expected object, received null/],
    [JSON.stringify({ ...state, best: { ...state.best, loss: 'low' } }), /best\.loss: Invalid input: expected number, received string/],
    [JSON.stringify({ ...state, dataFingerprint: undefined }), /dataFingerprint: Invalid input: expected string, received undefined/],
  ] as const) {
    writeFileSync(trainer, text);
    await assertBad(() => trainerState(checkpoint, PmTrainerJsonSchema, PM_TRAINER_JSON), trainer, undefined, expected);
  }
  const summary = fileWith('null', 'summary.json');
  await assertBad(() => readJsonFile(summary, PmSummarySchema, 'a PM summary'), summary, undefined, /expected object, received null/);
  writeFileSync(summary, JSON.stringify({ stepsRun: 3, stoppedEarly: 'no' }));
  await assertBad(() => readJsonFile(summary, PmSummarySchema, 'a PM summary'), summary, undefined, /stoppedEarly: Invalid input: expected boolean, received string/);
});

test('metrics.jsonl: a null line, a wrong type or a missing step is an error with its line; only a last line cut short by a kill is dropped', async () => {
  const folder = new RunFolder(join(dir, 'metrics-run'), LM_RUN);
  mkdirSync(folder.dir, { recursive: true });
  writeFileSync(folder.metricsPath, '{"step":1,"loss":2}\n{"step":2,"loss":1.5}\n{"step":3,"lo');
  assert.deepEqual(folder.metricRows(), [{ step: 1, loss: 2 }, { step: 2, loss: 1.5 }]);
  folder.truncateMetrics(1);
  assert.equal(readFileSync(folder.metricsPath, 'utf8'), '{"step":1,"loss":2}\n');
  for (const [text, expected] of [
    ['{"step":1}\nnull\n{"step":2}\n', /:2: expected a metrics row.*expected object, received null/],
    ['{"step":1}\n{"step":"2"}\n', /:2: .*step: Invalid input: expected number, received string/],
    ['{"step":1}\n{"loss":2}\n', /:2: .*step: Invalid input: expected number, received undefined/],
    ['{"step":1}\n{"step":2,"lo\n{"step":3}\n', /:2: .*invalid JSON/],
  ] as const) {
    writeFileSync(folder.metricsPath, text);
    await assertBad(() => folder.truncateMetrics(5), folder.metricsPath, 2, expected);
  }
});
