/**
 * Save and load tokenizers as Hugging Face `tokenizer.json` (model type `BPE`, byte-level
 * pre-tokenizer and decoder), so `tokenizers`, `transformers` and `transformers.js` read what
 * hhrl writes, and hhrl reads byte-level BPE files they write (GPT-2, and Llama 3 / Qwen style
 * `Split` + `ByteLevel` sequences).
 *
 * Loading encodes without post-processing (like `add_special_tokens=False`): a template that adds
 * BOS/EOS is not applied. Normalizers are not supported and are refused.
 */
import { readFileSync } from 'node:fs';
import { CheckpointError } from '../../spec/errors.ts';
import { writeFileAtomic } from '../../util/atomic-write.ts';
import { BpeTokenizer, type AddedToken, type PreTokenizerSpec } from './bpe-tokenizer.ts';
import { GPT2_SPLIT_PATTERN } from './pretokenize.ts';

type Json = Record<string, unknown>;

const BYTE_LEVEL = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true } as const;

function preTokenizerJson(spec: PreTokenizerSpec): Json {
  const byteLevel = { ...BYTE_LEVEL, add_prefix_space: spec.addPrefixSpace };
  if (spec.pattern === GPT2_SPLIT_PATTERN) return byteLevel;
  if (spec.pattern === null) return { ...byteLevel, use_regex: false };
  return {
    type: 'Sequence',
    pretokenizers: [
      { type: 'Split', pattern: { Regex: spec.pattern }, behavior: 'Isolated', invert: false },
      { ...byteLevel, use_regex: false },
    ],
  };
}

/** The `tokenizer.json` object of a tokenizer (vocab ordered by id). */
export function tokenizerToHfJson(tokenizer: BpeTokenizer): Json {
  const { parts } = tokenizer;
  const vocab = Object.fromEntries([...parts.vocab].sort((a, b) => a[1] - b[1]));
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: parts.addedTokens.map((token) => ({
      id: token.id,
      content: token.content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: token.special,
    })),
    normalizer: null,
    pre_tokenizer: preTokenizerJson(parts.preTokenizer),
    post_processor: { ...BYTE_LEVEL, trim_offsets: false },
    decoder: BYTE_LEVEL,
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: parts.ignoreMerges ?? false,
      vocab,
      merges: parts.merges.map(([left, right]) => `${left} ${right}`),
    },
  };
}

/** Write `tokenizer.json` atomically. */
export function saveTokenizer(tokenizer: BpeTokenizer, path: string): void {
  writeFileAtomic(path, `${JSON.stringify(tokenizerToHfJson(tokenizer), null, 2)}\n`);
}

/** Read a byte-level BPE `tokenizer.json`. Throws `CheckpointError` naming the file and the problem. */
export function loadTokenizer(path: string): BpeTokenizer {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new CheckpointError(`${path}: cannot read tokenizer: ${(error as Error).message}`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CheckpointError(`${path}: not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  return tokenizerFromHfJson(json, path);
}

/** Build a tokenizer from a parsed `tokenizer.json`; `source` names it in errors. */
export function tokenizerFromHfJson(json: unknown, source = 'tokenizer.json'): BpeTokenizer {
  const fail = (problem: string): never => {
    throw new CheckpointError(`${source}: ${problem}`);
  };
  if (!isObject(json)) return fail('expected a JSON object');
  const model = json.model;
  if (!isObject(model)) return fail('missing "model" object');
  if (model.type !== undefined && model.type !== 'BPE') fail(`model.type is ${JSON.stringify(model.type)}; only "BPE" is supported`);
  if (model.dropout !== undefined && model.dropout !== null && model.dropout !== 0) fail('model.dropout must be null (BPE dropout is not supported)');
  for (const field of ['continuing_subword_prefix', 'end_of_word_suffix'] as const) {
    if (model[field] !== undefined && model[field] !== null && model[field] !== '') fail(`model.${field} must be empty for byte-level BPE`);
  }
  if (json.normalizer !== undefined && json.normalizer !== null) fail('a normalizer is not supported (expected "normalizer": null)');
  if (isObject(json.decoder) && json.decoder.type !== 'ByteLevel') fail(`decoder.type is ${JSON.stringify(json.decoder.type)}; only "ByteLevel" is supported`);
  if (!isObject(model.vocab)) return fail('model.vocab must be an object of token → id');
  const vocab = new Map<string, number>();
  for (const [token, id] of Object.entries(model.vocab)) {
    if (typeof id !== 'number') fail(`model.vocab[${JSON.stringify(token)}] must be a number`);
    vocab.set(token, id as number);
  }
  if (!Array.isArray(model.merges)) return fail('model.merges must be an array');
  const merges = model.merges.map((merge, index): [string, string] => parseMerge(merge) ?? fail(`model.merges[${index}] must be "left right" or ["left", "right"]`));
  const addedTokens = parseAddedTokens(json.added_tokens, fail);
  const preTokenizer = parsePreTokenizer(json.pre_tokenizer, fail);
  const ignoreMerges = model.ignore_merges === true;
  return new BpeTokenizer({ vocab, merges, addedTokens, preTokenizer, ignoreMerges }, source);
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseMerge(merge: unknown): [string, string] | undefined {
  if (typeof merge === 'string') {
    const parts = merge.split(' ');
    return parts.length === 2 ? [parts[0], parts[1]] : undefined;
  }
  if (Array.isArray(merge) && merge.length === 2 && typeof merge[0] === 'string' && typeof merge[1] === 'string') return [merge[0], merge[1]];
  return undefined;
}

function parseAddedTokens(value: unknown, fail: (problem: string) => never): AddedToken[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) return fail('added_tokens must be an array');
  return value.map((entry, index) => {
    if (!isObject(entry) || typeof entry.id !== 'number' || typeof entry.content !== 'string') {
      return fail(`added_tokens[${index}] must have a numeric "id" and a string "content"`);
    }
    for (const flag of ['single_word', 'lstrip', 'rstrip'] as const) {
      if (entry[flag] === true) fail(`added_tokens[${index}] (${JSON.stringify(entry.content)}) sets ${flag}, which is not supported`);
    }
    return { id: entry.id, content: entry.content, special: entry.special === true };
  });
}

function parsePreTokenizer(value: unknown, fail: (problem: string) => never): PreTokenizerSpec {
  if (!isObject(value)) return fail('pre_tokenizer must be a ByteLevel pre-tokenizer (or a Sequence of Split and ByteLevel)');
  if (value.type === 'ByteLevel') {
    return { pattern: value.use_regex === false ? null : GPT2_SPLIT_PATTERN, addPrefixSpace: value.add_prefix_space === true };
  }
  if (value.type === 'Sequence' && Array.isArray(value.pretokenizers)) {
    const [split, byteLevel, ...rest] = value.pretokenizers as unknown[];
    const splitOk =
      isObject(split) && split.type === 'Split' && isObject(split.pattern) && typeof split.pattern.Regex === 'string' &&
      split.behavior === 'Isolated' && split.invert !== true;
    const byteLevelOk = isObject(byteLevel) && byteLevel.type === 'ByteLevel' && byteLevel.use_regex === false;
    if (splitOk && byteLevelOk && rest.length === 0) {
      return { pattern: (split.pattern as Json).Regex as string, addPrefixSpace: byteLevel.add_prefix_space === true };
    }
  }
  return fail(`pre_tokenizer ${JSON.stringify(value).slice(0, 200)} is not supported (expected ByteLevel, or Sequence [Split(Regex, Isolated), ByteLevel(use_regex=false)])`);
}
