import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseTorchResult, runTorchBench, TORCH_INSTALL_HINT, TORCH_SCRIPT } from '../../bench/torch-runner.ts';
import { DataFormatError, HhrlError } from '../../src/spec/errors.ts';

/** A result document shaped like the one bench/torch_gpt.py writes (values from a real run on 2 cores). */
const SAMPLE = {
  torch_version: '1.13.0a0',
  params: 867072,
  train: { tokens_per_s: 8129.5, config: { torch_threads: 2, openblas_threads: '1', adamw_foreach: false } },
  generate: {
    tokens_per_s: 4663.2,
    config: { torch_threads: 1, openblas_threads: '1', one_token_attention: 'mulsum' },
  },
  runs: [
    { measure: 'train', config: { torch_threads: 2, openblas_threads: '1' }, tokens_per_s: 8129.5 },
    { measure: 'generate', config: { torch_threads: 1, openblas_threads: '1' }, tokens_per_s: 4663.2 },
  ],
};

const folders: string[] = [];
after(() => folders.forEach((folder) => rmSync(folder, { recursive: true, force: true })));

/** A fresh temporary folder, removed after the tests. */
function tempFolder(prefix: string): string {
  const folder = mkdtempSync(join(tmpdir(), prefix));
  folders.push(folder);
  return folder;
}

/**
 * Write an executable stand-in for the Python interpreter (the process boundary): `body` is a POSIX shell script.
 * The runner calls it first as `python -c "import torch..."`, then as `python SCRIPT --json FILE [--quick]`.
 */
function fakePython(body: string): string {
  const folder = tempFolder('hhrl-fake-python-');
  const path = join(folder, 'python3');
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

/** Shell that answers the torch probe, then writes `json` to the path after `--json` and records its arguments. */
function pythonWriting(json: string, argsLog: string): string {
  const quoted = json.replace(/'/g, `'\\''`);
  return fakePython(`
if [ "$1" = "-c" ]; then echo 1.13.0a0; exit 0; fi
echo "$@" > '${argsLog}'
while [ $# -gt 0 ]; do
  if [ "$1" = "--json" ]; then printf '%s' '${quoted}' > "$2"; fi
  shift
done`);
}

test('parseTorchResult returns the typed result and keeps extra fields', () => {
  const result = parseTorchResult(JSON.stringify({ ...SAMPLE, machine: { cpus: 2 } }), 'torch.json');
  assert.equal(result.params, 867072);
  assert.equal(result.train.tokens_per_s, 8129.5);
  assert.equal(result.generate.config.torch_threads, 1);
  assert.equal(result.runs.length, 2);
  assert.deepEqual(result.machine, { cpus: 2 });
});

test('parseTorchResult names the file and the field that is wrong', () => {
  assert.throws(
    () => parseTorchResult('{"torch_version": ', 'out/torch.json'),
    (error: unknown) => error instanceof DataFormatError && error.file === 'out/torch.json' && /JSON/.test(error.message),
  );
  const noTrain = { ...SAMPLE, train: { config: SAMPLE.train.config } };
  assert.throws(
    () => parseTorchResult(JSON.stringify(noTrain), 'out/torch.json'),
    (error: unknown) => error instanceof DataFormatError && /field train\.tokens_per_s/.test(error.message),
  );
  const badMeasure = { ...SAMPLE, runs: [{ ...SAMPLE.runs[0], measure: 'infer' }] };
  assert.throws(
    () => parseTorchResult(JSON.stringify(badMeasure), 'out/torch.json'),
    (error: unknown) => error instanceof DataFormatError && /field runs\.0\.measure/.test(error.message),
  );
});

test('runTorchBench returns null with the install hint when the interpreter is missing', async () => {
  const lines: string[] = [];
  const missing = join(tmpdir(), 'hhrl-no-such-dir', 'python3');
  const result = await runTorchBench({ quick: true, python: missing, log: (line) => lines.push(line) });
  assert.equal(result, null);
  assert.equal(lines.length, 1);
  assert.ok(lines[0]!.includes(missing), lines[0]);
  assert.ok(lines[0]!.includes(TORCH_INSTALL_HINT), lines[0]);
});

test('runTorchBench returns null with the install hint when torch cannot be imported', async () => {
  const python = fakePython(`echo "ModuleNotFoundError: No module named 'torch'" >&2; exit 1`);
  const lines: string[] = [];
  const result = await runTorchBench({ quick: true, python, log: (line) => lines.push(line) });
  assert.equal(result, null);
  assert.match(lines[0]!, /No module named 'torch'/);
  assert.ok(lines[0]!.includes(TORCH_INSTALL_HINT));
});

test('runTorchBench passes the script, --json, --quick and --threads and returns the parsed result', async () => {
  const argsLog = join(tempFolder('hhrl-args-'), 'args.txt');
  const python = pythonWriting(JSON.stringify(SAMPLE), argsLog);
  const result = await runTorchBench({ quick: true, threads: 2, python, log: () => assert.fail('no notice expected') });
  assert.deepEqual(result, SAMPLE);
  const args = readFileSync(argsLog, 'utf8').trim().split(' ');
  assert.equal(args[0], TORCH_SCRIPT);
  assert.equal(args[1], '--json');
  assert.deepEqual(args.slice(3), ['--quick', '--threads', '2']);
});

test('runTorchBench reports the script failing and malformed output as errors, not as results', async () => {
  const failing = fakePython(`
if [ "$1" = "-c" ]; then echo 1.13.0a0; exit 0; fi
echo "SystemExit: parameter count 867328 != 867072" >&2; exit 3`);
  await assert.rejects(
    runTorchBench({ quick: true, python: failing }),
    (error: unknown) => error instanceof HhrlError && /exited with 3/.test(error.message) && /867328/.test(error.message),
  );
  const argsLog = join(tempFolder('hhrl-args-'), 'args.txt');
  const truncated = pythonWriting(JSON.stringify(SAMPLE).slice(0, 40), argsLog);
  await assert.rejects(runTorchBench({ quick: false, python: truncated }), DataFormatError);
  assert.ok(!readFileSync(argsLog, 'utf8').includes('--quick'));
});
