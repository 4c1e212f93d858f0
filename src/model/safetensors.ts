/**
 * safetensors files (https://github.com/huggingface/safetensors): an 8-byte little-endian header
 * length N, N bytes of JSON header (`{"name": {"dtype", "shape", "data_offsets": [begin, end]}, …,
 * "__metadata__": {string: string}}`), then the tensor bytes, little-endian, packed without gaps.
 *
 * Reading checks everything — header length, JSON, dtypes, shapes, that offsets are in bounds,
 * contiguous and non-overlapping, and that each byte count equals product(shape) × dtype size — and
 * throws `CheckpointError` naming the file and the problem; it never returns a wrong tensor.
 */
import { readFileSync } from 'node:fs';
import { endianness } from 'node:os';
import { CheckpointError } from '../spec/errors.ts';
import { writeFileAtomic } from '../util/atomic-write.ts';

/** Typed-array constructor and element size of each supported dtype. F16 and BF16 stay raw 16-bit words. */
const DTYPES = {
  F64: { size: 8, array: Float64Array },
  F32: { size: 4, array: Float32Array },
  F16: { size: 2, array: Uint16Array },
  BF16: { size: 2, array: Uint16Array },
  I64: { size: 8, array: BigInt64Array },
  I32: { size: 4, array: Int32Array },
  I16: { size: 2, array: Int16Array },
  I8: { size: 1, array: Int8Array },
  U8: { size: 1, array: Uint8Array },
  BOOL: { size: 1, array: Uint8Array },
} as const;

/** A safetensors dtype this module reads and writes. */
export type SafetensorsDtype = keyof typeof DTYPES;

/** The typed array holding a tensor of dtype `D` (F16/BF16: raw bits in a Uint16Array; BOOL: 0/1 bytes). */
export type SafetensorsArray<D extends SafetensorsDtype = SafetensorsDtype> = InstanceType<(typeof DTYPES)[D]['array']>;

/** One tensor: dtype, shape (row-major) and its values. */
export interface SafeTensor<D extends SafetensorsDtype = SafetensorsDtype> {
  readonly dtype: D;
  readonly shape: readonly number[];
  readonly data: SafetensorsArray<D>;
}

/** A whole file: tensors by name (in data order) and the string metadata. */
export interface SafetensorsContents {
  readonly tensors: Map<string, SafeTensor>;
  readonly metadata: Record<string, string>;
}

/** Tensors to write, by name. */
export type SafeTensorMap = ReadonlyMap<string, SafeTensor> | Readonly<Record<string, SafeTensor>>;

/** safetensors' own limit on the header size. */
export const MAX_HEADER_BYTES = 100_000_000;

const METADATA_KEY = '__metadata__';

function requireLittleEndian(source: string): void {
  if (endianness() !== 'LE') throw new CheckpointError(`${source}: safetensors needs a little-endian host`);
}

function elementCount(shape: readonly number[]): number {
  return shape.reduce((product, dimension) => product * dimension, 1);
}

function isShape(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((dimension) => Number.isSafeInteger(dimension) && dimension >= 0);
}

/**
 * Serialize tensors and metadata to safetensors bytes. Tensors are laid out by element size
 * (largest first), then name, so every tensor starts aligned to its element size.
 */
export function encodeSafetensors(tensors: SafeTensorMap, metadata: Readonly<Record<string, string>> = {}, source = 'safetensors'): Uint8Array {
  requireLittleEndian(source);
  const fail = (problem: string): never => {
    throw new CheckpointError(`${source}: cannot write: ${problem}`);
  };
  const entries = [...(tensors instanceof Map ? tensors.entries() : Object.entries(tensors))] as Array<[string, SafeTensor]>;
  for (const [name, tensor] of entries) {
    if (name.length === 0 || name === METADATA_KEY) fail(`invalid tensor name ${JSON.stringify(name)}`);
    const info = DTYPES[tensor.dtype];
    if (info === undefined) fail(`tensor ${JSON.stringify(name)} has unsupported dtype ${JSON.stringify(tensor.dtype)}`);
    if (!(tensor.data instanceof info.array)) fail(`tensor ${JSON.stringify(name)} (${tensor.dtype}) needs a ${info.array.name}, got ${tensor.data.constructor.name}`);
    if (!isShape(tensor.shape)) fail(`tensor ${JSON.stringify(name)} has invalid shape ${JSON.stringify(tensor.shape)}`);
    if (elementCount(tensor.shape) !== tensor.data.length) {
      fail(`tensor ${JSON.stringify(name)} has ${tensor.data.length} values but shape [${tensor.shape.join(', ')}] needs ${elementCount(tensor.shape)}`);
    }
  }
  for (const [key, value] of Object.entries(metadata)) if (typeof value !== 'string') fail(`metadata ${JSON.stringify(key)} must be a string`);
  entries.sort(([nameA, a], [nameB, b]) => DTYPES[b.dtype].size - DTYPES[a.dtype].size || (nameA < nameB ? -1 : nameA > nameB ? 1 : 0));

  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header[METADATA_KEY] = { ...metadata };
  let offset = 0;
  for (const [name, tensor] of entries) {
    const end = offset + tensor.data.byteLength;
    header[name] = { dtype: tensor.dtype, shape: [...tensor.shape], data_offsets: [offset, end] };
    offset = end;
  }
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const headerLength = Math.ceil(json.length / 8) * 8; // pad with spaces so the data starts 8-aligned
  const out = new Uint8Array(8 + headerLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength);
  let cursor = 8 + headerLength;
  for (const [, tensor] of entries) {
    out.set(new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength), cursor);
    cursor += tensor.data.byteLength;
  }
  return out;
}

/** Write a safetensors file atomically (temp file, fsync, rename). */
export function writeSafetensors(path: string, tensors: SafeTensorMap, metadata: Readonly<Record<string, string>> = {}): void {
  writeFileAtomic(path, encodeSafetensors(tensors, metadata, path));
}

/** Read and fully validate a safetensors file. Throws `CheckpointError` naming the file and the problem. */
export function readSafetensors(path: string): SafetensorsContents {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new CheckpointError(`${path}: cannot read safetensors file: ${(error as Error).message}`, { cause: error });
  }
  return decodeSafetensors(bytes, path);
}

interface Entry {
  readonly name: string;
  readonly dtype: SafetensorsDtype;
  readonly shape: number[];
  readonly begin: number;
  readonly end: number;
}

/** Parse and validate safetensors bytes; `source` names the file in errors. */
export function decodeSafetensors(bytes: Uint8Array, source = 'safetensors'): SafetensorsContents {
  requireLittleEndian(source);
  const fail = (problem: string): never => {
    throw new CheckpointError(`${source}: ${problem}`);
  };
  if (bytes.length < 8) fail(`truncated: the file is ${bytes.length} bytes, too short for the 8-byte header length`);
  const declared = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(0, true);
  if (declared > BigInt(MAX_HEADER_BYTES)) fail(`header length ${declared} is over the ${MAX_HEADER_BYTES}-byte limit (corrupt file?)`);
  const headerLength = Number(declared);
  if (8 + headerLength > bytes.length) fail(`truncated: header length ${headerLength} runs past the end of the ${bytes.length}-byte file`);
  const header = parseHeader(bytes.subarray(8, 8 + headerLength), fail);
  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;

  const metadata = parseMetadata(header[METADATA_KEY], fail);
  const entries = Object.entries(header)
    .filter(([name]) => name !== METADATA_KEY)
    .map(([name, value]) => parseEntry(name, value, fail));
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expectedBegin = 0;
  for (const entry of entries) {
    const label = `tensor ${JSON.stringify(entry.name)}`;
    if (entry.end > dataLength) fail(`truncated: ${label} data_offsets [${entry.begin}, ${entry.end}] run past the ${dataLength} data bytes in the file`);
    if (entry.begin < expectedBegin) fail(`${label} data_offsets [${entry.begin}, ${entry.end}] overlap the previous tensor (which ends at ${expectedBegin})`);
    if (entry.begin > expectedBegin) fail(`${label} data_offsets start at ${entry.begin}, leaving a gap after byte ${expectedBegin}`);
    expectedBegin = entry.end;
  }
  if (expectedBegin !== dataLength) fail(`${dataLength - expectedBegin} bytes after the last tensor belong to no tensor`);

  const tensors = new Map<string, SafeTensor>();
  for (const entry of entries) {
    // Copy into a fresh buffer: the tensor gets its own aligned memory, detached from the file.
    // (`new Uint8Array(view)` copies; `Buffer#slice` would share the file's memory and offset.)
    const slice = new Uint8Array(bytes.subarray(dataStart + entry.begin, dataStart + entry.end));
    const ArrayType = DTYPES[entry.dtype].array;
    const data = new ArrayType(slice.buffer, 0, elementCount(entry.shape)) as SafetensorsArray;
    tensors.set(entry.name, { dtype: entry.dtype, shape: entry.shape, data });
  }
  return { tensors, metadata };
}

function parseHeader(raw: Uint8Array, fail: (problem: string) => never): Record<string, unknown> {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    return fail('header is not valid UTF-8');
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (error) {
    return fail(`header is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) return fail('header must be a JSON object');
  return header as Record<string, unknown>;
}

function parseMetadata(value: unknown, fail: (problem: string) => never): Record<string, string> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail(`${METADATA_KEY} must be an object of strings`);
  for (const [key, item] of Object.entries(value)) if (typeof item !== 'string') fail(`${METADATA_KEY}.${key} must be a string`);
  return { ...(value as Record<string, string>) };
}

function parseEntry(name: string, value: unknown, fail: (problem: string) => never): Entry {
  const label = `tensor ${JSON.stringify(name)}`;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail(`${label} must be an object with dtype, shape and data_offsets`);
  const { dtype, shape, data_offsets: offsets } = value as Record<string, unknown>;
  if (typeof dtype !== 'string' || !Object.hasOwn(DTYPES, dtype)) {
    return fail(`${label} has unsupported dtype ${JSON.stringify(dtype)} (supported: ${Object.keys(DTYPES).join(', ')})`);
  }
  if (!isShape(shape)) return fail(`${label} has invalid shape ${JSON.stringify(shape)} (expected an array of non-negative integers)`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((offset) => Number.isSafeInteger(offset) && offset >= 0) || offsets[0] > offsets[1]) {
    return fail(`${label} has invalid data_offsets ${JSON.stringify(offsets)} (expected [begin, end] with 0 <= begin <= end)`);
  }
  const info = DTYPES[dtype as SafetensorsDtype];
  const count = elementCount(shape);
  if (!Number.isSafeInteger(count * info.size)) return fail(`${label} shape [${shape.join(', ')}] is too large`);
  const [begin, end] = offsets as [number, number];
  if (end - begin !== count * info.size) {
    fail(`${label}: dtype ${dtype} shape [${shape.join(', ')}] needs ${count * info.size} bytes but data_offsets [${begin}, ${end}] hold ${end - begin}`);
  }
  return { name, dtype: dtype as SafetensorsDtype, shape, begin, end };
}
