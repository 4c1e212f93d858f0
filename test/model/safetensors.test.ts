import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckpointError } from '../../src/spec/errors.ts';
import { decodeSafetensors, encodeSafetensors, readSafetensors, writeSafetensors, type SafeTensor } from '../../src/model/safetensors.ts';

function withFolder(body: (folder: string) => void): void {
  const folder = mkdtempSync(join(tmpdir(), 'hhrl-safetensors-'));
  try {
    body(folder);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** A safetensors file built byte by byte from a header object and a data section. */
function handMade(header: unknown, data: Uint8Array, headerText = JSON.stringify(header)): Uint8Array {
  const json = Buffer.from(headerText, 'utf8');
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

test('each dtype round-trips through a file with its shape, values and metadata', () => {
  const tensors: Record<string, SafeTensor> = {
    'h.0.attn.weight': { dtype: 'F32', shape: [2, 3], data: new Float32Array([1.5, -2, 3.25, 0, -0, 1e-30]) },
    'wpe.weight': { dtype: 'F64', shape: [3], data: new Float64Array([Math.PI, -1e300, Number.MIN_VALUE]) },
    step: { dtype: 'I64', shape: [], data: new BigInt64Array([9_007_199_254_740_993n]) },
    'tokens': { dtype: 'I64', shape: [2, 2], data: new BigInt64Array([-1n, 0n, 2n ** 62n, -(2n ** 63n)]) },
    mask: { dtype: 'BOOL', shape: [4], data: new Uint8Array([1, 0, 0, 1]) },
    counts: { dtype: 'I32', shape: [2], data: new Int32Array([-7, 2 ** 31 - 1]) },
    half: { dtype: 'F16', shape: [1], data: new Uint16Array([0x3c00]) },
    empty: { dtype: 'F32', shape: [0, 4], data: new Float32Array(0) },
  };
  withFolder((folder) => {
    const path = join(folder, 'model.safetensors');
    writeSafetensors(path, tensors, { format: 'pt', config: '{"layers":2}' });
    assert.deepEqual(readdirSync(folder), ['model.safetensors']); // no temp file left behind
    const { tensors: loaded, metadata } = readSafetensors(path);
    assert.deepEqual(metadata, { format: 'pt', config: '{"layers":2}' });
    assert.deepEqual([...loaded.keys()].sort(), Object.keys(tensors).sort());
    for (const [name, tensor] of Object.entries(tensors)) {
      const got = loaded.get(name)!;
      assert.equal(got.dtype, tensor.dtype, name);
      assert.deepEqual(got.shape, tensor.shape, name);
      assert.equal(got.data.constructor, tensor.data.constructor, name);
      assert.deepEqual(got.data, tensor.data, name);
    }
    assert.ok(Object.is(loaded.get('h.0.attn.weight')!.data[4], -0));
    // The data section starts 8-aligned and every tensor is aligned to its element size.
    const file = readFileSync(path);
    const headerLength = Number(file.readBigUInt64LE(0));
    assert.equal((8 + headerLength) % 8, 0);
    const header = JSON.parse(file.subarray(8, 8 + headerLength).toString('utf8')) as Record<string, { dtype: string; data_offsets: number[] }>;
    const sizes: Record<string, number> = { F64: 8, I64: 8, F32: 4, I32: 4, F16: 2, BOOL: 1 };
    for (const [name, entry] of Object.entries(header)) {
      if (name !== '__metadata__') assert.equal(entry.data_offsets[0] % sizes[entry.dtype], 0, name);
    }
  });
});

test('the bytes written match the safetensors format exactly', () => {
  const bytes = encodeSafetensors({ w: { dtype: 'F32', shape: [2], data: new Float32Array([1, 2]) } });
  const header = '{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}';
  const padded = header + ' '.repeat(Math.ceil(header.length / 8) * 8 - header.length);
  const expected = handMade(undefined, new Uint8Array([0, 0, 0x80, 0x3f, 0, 0, 0, 0x40]), padded);
  assert.deepEqual(Buffer.from(bytes), Buffer.from(expected));
  // A hand-made file (no padding, metadata first) reads back.
  const file = handMade({ __metadata__: { a: 'b' }, x: { dtype: 'F64', shape: [1], data_offsets: [0, 8] } }, new Uint8Array(new Float64Array([0.25]).buffer));
  const { tensors, metadata } = decodeSafetensors(file, 'hand.safetensors');
  assert.deepEqual(metadata, { a: 'b' });
  assert.deepEqual(tensors.get('x'), { dtype: 'F64', shape: [1], data: new Float64Array([0.25]) });
});

test('every kind of corruption gives a CheckpointError naming the file and the problem', () => {
  const four = new Uint8Array(16);
  const good = { a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [8, 16] } };
  const valid = encodeSafetensors({ w: { dtype: 'F64', shape: [4], data: new Float64Array([1, 2, 3, 4]) } });
  const hugeLength = new Uint8Array(16);
  new DataView(hugeLength.buffer).setBigUint64(0, 2n ** 40n, true);
  const cases: Array<[string, Uint8Array, RegExp]> = [
    ['empty file', new Uint8Array(0), /truncated: the file is 0 bytes/],
    ['shorter than the length field', new Uint8Array(5), /truncated: the file is 5 bytes/],
    ['truncated in the header', valid.subarray(0, 20), /truncated: header length \d+ runs past the end of the 20-byte file/],
    ['truncated in the data', valid.subarray(0, valid.length - 3), /truncated: tensor "w" data_offsets \[0, 32\] run past the 29 data bytes/],
    ['absurd header length', hugeLength, /header length 1099511627776 is over the 100000000-byte limit/],
    ['bad JSON', handMade(undefined, four, '{"a": {"dtype": "F32",'), /header is not valid JSON/],
    ['header not an object', handMade([1, 2], four), /header must be a JSON object/],
    ['bad UTF-8', handMade(undefined, four, '{"\udcff"}'), /header is not valid (UTF-8|JSON)/],
    ['unknown dtype', handMade({ a: { dtype: 'F8', shape: [16], data_offsets: [0, 16] } }, four), /tensor "a" has unsupported dtype "F8"/],
    ['negative dimension', handMade({ a: { dtype: 'F32', shape: [-4], data_offsets: [0, 16] } }, four), /tensor "a" has invalid shape \[-4\]/],
    ['offsets reversed', handMade({ a: { dtype: 'F32', shape: [0], data_offsets: [16, 0] } }, four), /tensor "a" has invalid data_offsets \[16,0\]/],
    ['wrong byte count', handMade({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 16] } }, four), /tensor "a": dtype F32 shape \[3\] needs 12 bytes but data_offsets \[0, 16\] hold 16/],
    ['out-of-range offsets', handMade({ a: { dtype: 'F32', shape: [8], data_offsets: [0, 32] } }, four), /truncated: tensor "a" data_offsets \[0, 32\] run past the 16 data bytes/],
    ['overlapping offsets', handMade({ ...good, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, four), /tensor "b" data_offsets \[4, 12\] overlap the previous tensor \(which ends at 8\)/],
    ['gap between tensors', handMade({ a: good.a, b: { dtype: 'F32', shape: [1], data_offsets: [12, 16] } }, four), /tensor "b" data_offsets start at 12, leaving a gap after byte 8/],
    ['bytes after the last tensor', handMade({ a: good.a }, four), /8 bytes after the last tensor belong to no tensor/],
    ['bad metadata', handMade({ ...good, __metadata__: { step: 3 } }, four), /__metadata__.step must be a string/],
  ];
  withFolder((folder) => {
    cases.forEach(([name, bytes, message], index) => {
      const path = join(folder, `case-${index}.safetensors`);
      writeFileSync(path, bytes);
      assert.throws(
        () => readSafetensors(path),
        (error: unknown) => error instanceof CheckpointError && error.message.startsWith(`${path}: `) && message.test(error.message),
        `${name}: expected ${message}`,
      );
    });
  });
  assert.throws(() => readSafetensors('/nonexistent/model.safetensors'), (error: unknown) => error instanceof CheckpointError && /cannot read/.test(error.message));
});

test('writing refuses tensors whose data does not match their dtype or shape', () => {
  const expectWriteError = (tensor: SafeTensor, pattern: RegExp): void => {
    assert.throws(() => encodeSafetensors({ t: tensor }, {}, 'out.safetensors'), (error: unknown) => error instanceof CheckpointError && pattern.test(error.message));
  };
  expectWriteError({ dtype: 'F32', shape: [2, 2], data: new Float32Array(3) }, /out.safetensors: cannot write: tensor "t" has 3 values but shape \[2, 2\] needs 4/);
  expectWriteError({ dtype: 'F32', shape: [2], data: new Float64Array(2) } as unknown as SafeTensor, /tensor "t" \(F32\) needs a Float32Array, got Float64Array/);
  expectWriteError({ dtype: 'F32', shape: [1.5], data: new Float32Array(1) }, /invalid shape/);
  assert.throws(() => encodeSafetensors({ __metadata__: { dtype: 'U8', shape: [0], data: new Uint8Array(0) } }), CheckpointError);
});
