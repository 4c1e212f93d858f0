import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { referenceDataPath } from '../../src/data/reference-data.ts';
import { CheckpointError, ConfigError } from '../../src/spec/errors.ts';
import {
  BpeTokenizer,
  GPT2_SPLIT_PATTERN,
  countWords,
  loadTokenizer,
  parseBpeTrainingConfig,
  saveTokenizer,
  tokenizerFromHfJson,
  tokenizerToHfJson,
  trainBpeTokenizer,
} from '../../src/model/tokenizer/index.ts';
import { splitGpt2 } from '../../src/model/tokenizer/gpt2-split.ts';
import { BYTE_TO_CHAR } from '../../src/model/tokenizer/byte-map.ts';
import { MergeTable } from '../../src/model/tokenizer/bpe-merge.ts';
import { compileSplitPattern, splitWords } from '../../src/model/tokenizer/pretokenize.ts';

const HH_DEV = referenceDataPath('hhRlhfDev');
const FIXTURE = new URL('./fixtures/tiny-gpt2-style.tokenizer.json', import.meta.url).pathname;

/** Every transcript (chosen and rejected) of the HH dev file, in file order. */
function hhTranscripts(): string[] {
  const lines = gunzipSync(readFileSync(HH_DEV)).toString('utf8').split('\n').filter((line) => line.length > 0);
  return lines.flatMap((line) => {
    const row = JSON.parse(line) as { chosen: string; rejected: string };
    return [row.chosen, row.rejected];
  });
}

const transcripts = hhTranscripts();
const trainingPart = transcripts.slice(0, 600);
const trained = trainBpeTokenizer(trainingPart, { vocabSize: 1024 });

/** Seeded uniform source (mulberry32), so random cases are the same on every run. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** A random string mixing the characters the split rules care about (well-formed UTF-16). */
function randomText(random: () => number, length: number): string {
  const alphabet = [' ', ' ', '  ', '\n', '\t', '\r\n', '\u00a0', '\u3000', "'", "'s", "'ll", "'D", 'a', 'Z', 'é', 'ß', 'д', '中', '文',
    '1', '9', '٣', 'Ⅻ', '½', '.', ',', '!', '?', '-', '<|endoftext|>', '😀', '👍🏽', '\u0301', '$', '_', '\u200d', '\ufeff'];
  let text = '';
  for (let index = 0; index < length; index++) text += alphabet[Math.floor(random() * alphabet.length)];
  return text;
}

test('the hand-written GPT-2 splitter cuts exactly like the GPT-2 regex', () => {
  const regex = compileSplitPattern(GPT2_SPLIT_PATTERN);
  const viaRegex = (text: string): string[] => {
    const words: string[] = [];
    splitWords(text, regex, (word) => words.push(word));
    return words;
  };
  const viaScanner = (text: string): string[] => {
    const words: string[] = [];
    splitGpt2(text, (word) => words.push(word));
    return words;
  };
  for (const text of transcripts.slice(0, 400)) assert.deepEqual(viaScanner(text), viaRegex(text));
  const random = seededRandom(7);
  for (let round = 0; round < 2000; round++) {
    const text = randomText(random, 1 + Math.floor(random() * 30));
    assert.deepEqual(viaScanner(text), viaRegex(text), JSON.stringify(text));
  }
  // Lone surrogates are "other" characters for both.
  assert.deepEqual(viaScanner('a\ud800b \udc00'), viaRegex('a\ud800b \udc00'));
  assert.deepEqual(viaScanner("Hello  world's end\n\n  x"), ['Hello', ' ', ' world', "'s", ' end', '\n\n ', ' x']);
});

test('a byte tokenizer maps each byte to its own id, then the special tokens', () => {
  const tokenizer = BpeTokenizer.fromBytes();
  assert.equal(tokenizer.vocabSize, 258);
  assert.equal(tokenizer.mergeCount, 0);
  assert.deepEqual(tokenizer.encode('hi é'), [104, 105, 32, 0xc3, 0xa9]);
  assert.deepEqual(tokenizer.encode('a<|endoftext|>', { allowSpecial: true }), [97, 256]);
  assert.equal(tokenizer.requireAddedTokenId('<|pad|>'), 257);
  assert.equal(tokenizer.decode([104, 105, 256, 257]), 'hi<|endoftext|><|pad|>');
  assert.equal(BpeTokenizer.fromBytes(['<eos>']).vocabSize, 257);
});

test('training twice on the same corpus gives the identical tokenizer.json', () => {
  const again = trainBpeTokenizer(trainingPart, { vocabSize: 1024 });
  assert.equal(JSON.stringify(tokenizerToHfJson(again)), JSON.stringify(tokenizerToHfJson(trained)));
  assert.equal(trained.vocabSize, 1024);
  assert.equal(trained.mergeCount, 1024 - 256 - 2);
  assert.equal(trained.requireAddedTokenId('<|endoftext|>'), 1022);
  assert.equal(trained.requireAddedTokenId('<|pad|>'), 1023);
});

test('training learns the textbook merges, with equal counts broken by the smaller pair', () => {
  // Hugging Face course corpus: hug×10, pug×5, pun×12, bun×4, hugs×5 → merges "u g", "u n", "h ug".
  const words = [...Array(10).fill('hug'), ...Array(5).fill('pug'), ...Array(12).fill('pun'), ...Array(4).fill('bun'), ...Array(5).fill('hugs')];
  const tokenizer = trainBpeTokenizer(words, { vocabSize: 256 + 3, specialTokens: [], minFrequency: 1 });
  assert.deepEqual(tokenizer.parts.merges, [['u', 'g'], ['u', 'n'], ['h', 'ug']]);
  assert.deepEqual(tokenizer.encode('hugs').map((id) => tokenizer.tokenString(id)), ['hug', 's']);
  // "ab" and "cd" both occur once: (a, b) has the smaller ids, so it is merged first.
  const tie = trainBpeTokenizer(['cd', 'ab'], { vocabSize: 258, specialTokens: [], minFrequency: 1 });
  assert.deepEqual(tie.parts.merges, [['a', 'b'], ['c', 'd']]);
});

/** Reference trainer: recount every pair of every word before each merge (slow, obviously right). */
function naiveMerges(texts: string[], mergeCount: number): Array<[string, string]> {
  const counts = countWords(texts, GPT2_SPLIT_PATTERN, ['<|endoftext|>', '<|pad|>']);
  const words = [...counts.keys()].map((word) => [...Buffer.from(word, 'utf8')].map((byte) => BYTE_TO_CHAR[byte]));
  const weights = [...counts.values()];
  const ids = new Map(BYTE_TO_CHAR.map((char, id) => [char, id] as const));
  const merges: Array<[string, string]> = [];
  while (merges.length < mergeCount) {
    const pairCounts = new Map<string, { left: string; right: string; count: number }>();
    words.forEach((word, index) => {
      for (let at = 0; at + 1 < word.length; at++) {
        const key = `${word[at]}\u0000${word[at + 1]}`;
        const entry = pairCounts.get(key) ?? { left: word[at], right: word[at + 1], count: 0 };
        entry.count += weights[index];
        pairCounts.set(key, entry);
      }
    });
    // Highest count first; ties to the smaller (left id, right id).
    const rank = (pair: { left: string; right: string; count: number }): [number, number, number] => [-pair.count, ids.get(pair.left)!, ids.get(pair.right)!];
    let best: { left: string; right: string; count: number } | undefined;
    for (const entry of pairCounts.values()) {
      if (best === undefined) {
        best = entry;
        continue;
      }
      const [a, b] = [rank(entry), rank(best)];
      if (a[0] < b[0] || (a[0] === b[0] && (a[1] < b[1] || (a[1] === b[1] && a[2] < b[2])))) best = entry;
    }
    if (best === undefined || best.count < 2) break;
    merges.push([best.left, best.right]);
    const merged = best.left + best.right;
    if (!ids.has(merged)) ids.set(merged, ids.size);
    for (let index = 0; index < words.length; index++) {
      const word = words[index];
      const next: string[] = [];
      for (let at = 0; at < word.length; at++) {
        if (at + 1 < word.length && word[at] === best.left && word[at + 1] === best.right) {
          next.push(merged);
          at++;
        } else next.push(word[at]);
      }
      words[index] = next;
    }
  }
  return merges;
}

test('incremental training learns exactly the merges of a full-recount reference trainer', () => {
  const sample = transcripts.slice(0, 40);
  const fast = trainBpeTokenizer(sample, { vocabSize: 256 + 300 + 2 });
  assert.equal(fast.mergeCount, 300);
  assert.deepEqual(fast.parts.merges, naiveMerges(sample, 300));
});

test('training stops short of vocabSize when no pair is frequent enough', () => {
  const tokenizer = trainBpeTokenizer(['abab cd'], { vocabSize: 400, minFrequency: 2 });
  assert.deepEqual(tokenizer.parts.merges, [['a', 'b']]);
  assert.equal(tokenizer.requireAddedTokenId('<|endoftext|>'), 257);
});

test('every HH dev transcript round-trips exactly through the trained tokenizer', () => {
  let tokens = 0;
  let bytes = 0;
  for (const text of transcripts) {
    const ids = trained.encode(text);
    assert.equal(trained.decode(ids), text);
    assert.ok(ids.every((id) => !trained.isSpecial(id)));
    tokens += ids.length;
    bytes += Buffer.byteLength(text, 'utf8');
  }
  assert.equal(transcripts.length, 3600);
  // Merges learned on a sixth of the file compress the whole file well below one token per byte.
  assert.ok(tokens / bytes < 0.45, `tokens per byte ${tokens / bytes}`);
});

test('arbitrary unicode round-trips; a lone surrogate comes back as U+FFFD', () => {
  const random = seededRandom(11);
  for (let round = 0; round < 500; round++) {
    const text = randomText(random, Math.floor(random() * 40));
    assert.equal(trained.decode(trained.encode(text)), text);
    assert.equal(trained.decode(trained.encode(text, { allowSpecial: true })), text);
  }
  for (const text of ['', '\ufeffstarts with a byte-order mark', ' ', '\u0000\u0001\u007f', '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 🧪 \u{10ffff}', 'x'.repeat(5000), ' '.repeat(300) + 'end']) {
    assert.equal(trained.decode(trained.encode(text)), text);
  }
  assert.equal(trained.decode(trained.encode('a\ud800b')), 'a\ufffdb');
  // decodeBytes gives the UTF-8 bytes, for streaming where a token may end mid-character.
  assert.deepEqual(Buffer.from(trained.decodeBytes(trained.encode('né 😀'))), Buffer.from('né 😀', 'utf8'));
});

test('long words merge with a heap exactly as the pass-per-merge loop does', () => {
  const { vocab, merges } = trained.parts;
  const table = new MergeTable(merges.map(([left, right]) => [vocab.get(left)!, vocab.get(right)!, vocab.get(left + right)!] as const));
  const byteIds = (text: string): number[] => [...Buffer.from(text, 'utf8')].map((byte) => vocab.get(BYTE_TO_CHAR[byte])!);
  const random = seededRandom(5);
  const samples = [
    ...transcripts.slice(0, 200).map((text) => text.slice(0, 2000)),
    ...transcripts.slice(200, 260).map((text) => text.replace(/\s/g, '')),
    'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
    ...Array.from({ length: 100 }, () => randomText(random, 1 + Math.floor(random() * 100))),
  ];
  for (const text of samples) {
    const byPasses = byteIds(text);
    const withHeap = byteIds(text);
    table.applyByPasses(byPasses);
    table.applyWithHeap(withHeap);
    assert.deepEqual(withHeap, byPasses);
  }
  // A 200 kB word without spaces still round-trips (and takes milliseconds, not minutes).
  const blob = transcripts.slice(0, 100).join('').replace(/[\s\p{P}]/gu, '').slice(0, 200_000);
  assert.equal(trained.decode(trained.encode(blob)), blob);
});

test('special tokens are matched only with allowSpecial', () => {
  const text = 'Hi<|endoftext|><|pad|>';
  const eot = trained.requireAddedTokenId('<|endoftext|>');
  const pad = trained.requireAddedTokenId('<|pad|>');
  const plain = trained.encode(text);
  assert.ok(!plain.includes(eot) && !plain.includes(pad));
  assert.equal(trained.decode(plain), text);
  const special = trained.encode(text, { allowSpecial: true });
  assert.deepEqual(special.slice(-2), [eot, pad]);
  assert.deepEqual(special.slice(0, -2), trained.encode('Hi'));
  assert.equal(trained.decode(special), text);
  assert.equal(trained.decode(special, { skipSpecial: true }), 'Hi');
  assert.throws(() => trained.decode([trained.vocabSize]), RangeError);
});

test('a hand-made GPT-2-style tokenizer.json encodes to hand-computed ids', () => {
  const tokenizer = loadTokenizer(FIXTURE);
  // Words: "the" → t + he; " cat" → Ġc, at → Ġcat; " in" → Ġ + in; " the" → Ġt, he → Ġthe; " hat" → Ġ + h + at; "\n" → Ċ.
  // Byte ids follow GPT-2's order (t = 83, h = 71, Ġ = 220, Ċ = 198); merges are 256–262.
  const ids = tokenizer.encode('the cat in the hat\n');
  assert.deepEqual(ids, [83, 257, 262, 220, 259, 258, 220, 71, 261, 198]);
  assert.deepEqual(ids.map((id) => tokenizer.tokenString(id)), ['t', 'he', 'Ġcat', 'Ġ', 'in', 'Ġthe', 'Ġ', 'h', 'at', 'Ċ']);
  assert.equal(tokenizer.decode(ids), 'the cat in the hat\n');
  assert.deepEqual(tokenizer.encode('the<|endoftext|> cat', { allowSpecial: true }), [83, 257, 263, 262]);
  // Ids produced by Hugging Face tokenizers 0.23.2 (Rust) on the same file and string.
  assert.deepEqual(
    tokenizer.encode("  I'm in\t\tthe  hat 😀 42"),
    [220, 220, 40, 6, 76, 220, 259, 197, 197, 83, 257, 220, 220, 71, 261, 220, 172, 253, 246, 222, 220, 19, 17],
  );
  // Newer files write merges as pairs; both forms load the same.
  const json = JSON.parse(readFileSync(FIXTURE, 'utf8'));
  json.model.merges = json.model.merges.map((merge: string) => merge.split(' '));
  assert.deepEqual(tokenizerFromHfJson(json).encode('the cat in the hat\n'), ids);
});

test('save → load gives identical encodings and an identical file', () => {
  const folder = mkdtempSync(join(tmpdir(), 'hhrl-tokenizer-'));
  try {
    const path = join(folder, 'tokenizer.json');
    saveTokenizer(trained, path);
    const loaded = loadTokenizer(path);
    for (const text of transcripts.slice(600, 700)) assert.deepEqual(loaded.encode(text), trained.encode(text));
    assert.deepEqual(loaded.encode('x<|pad|>', { allowSpecial: true }), trained.encode('x<|pad|>', { allowSpecial: true }));
    const json = JSON.parse(readFileSync(path, 'utf8'));
    assert.equal(json.model.type, 'BPE');
    assert.equal(json.pre_tokenizer.type, 'ByteLevel');
    assert.equal(json.decoder.type, 'ByteLevel');
    assert.equal(Object.keys(json.model.vocab).length, 1024);
    assert.equal(json.model.merges.length, 766);
    assert.deepEqual(json.added_tokens.map((token: { content: string }) => token.content), ['<|endoftext|>', '<|pad|>']);
    const second = join(folder, 'again.json');
    saveTokenizer(loaded, second);
    assert.equal(readFileSync(second, 'utf8'), readFileSync(path, 'utf8'));
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});

test('a Split + ByteLevel sequence with a (?i:…) group loads and splits case-insensitively', () => {
  const json = tokenizerToHfJson(BpeTokenizer.fromBytes());
  json.pre_tokenizer = {
    type: 'Sequence',
    pretokenizers: [
      { type: 'Split', pattern: { Regex: "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+" }, behavior: 'Isolated', invert: false },
      { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false },
    ],
  };
  const tokenizer = tokenizerFromHfJson(json);
  assert.equal(tokenizer.decode(tokenizer.encode("HE'LL pay 12345")), "HE'LL pay 12345");
  const words: string[] = [];
  splitWords("HE'LL pay 12345", compileSplitPattern(tokenizer.parts.preTokenizer.pattern!), (word) => words.push(word));
  assert.deepEqual(words, ['HE', "'LL", ' pay', ' ', '123', '45']);
});

test('a broken tokenizer.json gives a CheckpointError naming the file and the problem', () => {
  const folder = mkdtempSync(join(tmpdir(), 'hhrl-tokenizer-'));
  interface TokenizerJson {
    model: { type: string; vocab: Record<string, number>; merges: string[] };
    normalizer: unknown;
  }
  const good = JSON.parse(readFileSync(FIXTURE, 'utf8')) as TokenizerJson;
  const cases: Array<[string, (json: TokenizerJson) => unknown, RegExp]> = [
    ['no-byte', (json) => { delete json.model.vocab['Ġ']; return json; }, /lacks the token for byte 32/],
    ['bad-merge', (json) => { json.model.merges.push('q zz'); return json; }, /merge 7 .* missing from the vocab/],
    ['wordpiece', (json) => { json.model.type = 'WordPiece'; return json; }, /only "BPE"/],
    ['normalizer', (json) => { json.normalizer = { type: 'NFC' }; return json; }, /normalizer/],
    ['duplicate-id', (json) => { json.model.vocab.extra = 5; return json; }, /id 5 is used by two vocab tokens/],
    ['no-model', () => ({ version: '1.0' }), /missing "model"/],
  ];
  try {
    for (const [name, edit, message] of cases) {
      const path = join(folder, `${name}.json`);
      writeFileSync(path, JSON.stringify(edit(structuredClone(good))));
      assert.throws(() => loadTokenizer(path), (error: unknown) => error instanceof CheckpointError && message.test(error.message) && error.message.includes(path), name);
    }
    const notJson = join(folder, 'not.json');
    writeFileSync(notJson, '{"model": ');
    assert.throws(() => loadTokenizer(notJson), (error: unknown) => error instanceof CheckpointError && /not valid JSON/.test(error.message));
    assert.throws(() => loadTokenizer(join(folder, 'missing.json')), (error: unknown) => error instanceof CheckpointError && /cannot read/.test(error.message));
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});

test('bad training options name the field and the allowed range', () => {
  const expectConfigError = (input: unknown, pattern: RegExp): void => {
    assert.throws(() => parseBpeTrainingConfig(input), (error: unknown) => error instanceof ConfigError && pattern.test(error.message), String(pattern));
  };
  expectConfigError({ vocabSize: 100 }, /vocabSize: must be an integer in \[256 \+ number of special tokens, 65536\] \(got 100\)/);
  expectConfigError({ vocabSize: 257 }, /vocabSize: must be an integer in \[258, 65536\]/);
  expectConfigError({ vocabSize: 1000.5 }, /vocabSize: must be an integer \(got 1000.5\)/);
  expectConfigError({ vocabSize: 70000 }, /vocabSize: .*65536/);
  expectConfigError({ vocabSize: 512, minFrequency: 0 }, /minFrequency: must be an integer >= 1 \(got 0\)/);
  expectConfigError({ vocabSize: 512, specialTokens: ['<a>', '<a>'] }, /specialTokens.1: duplicate special token/);
  expectConfigError({ vocabSize: 512, specialTokens: [''] }, /specialTokens.0: a special token must not be empty/);
  expectConfigError({ vocabSize: 512, splitPattern: '(' }, /splitPattern: not a valid unicode regex/);
  expectConfigError({ vocabSize: 512, vocab: 3 }, /vocab/);
  expectConfigError({}, /vocabSize/);
  assert.deepEqual(parseBpeTrainingConfig({ vocabSize: 512 }), {
    vocabSize: 512,
    specialTokens: ['<|endoftext|>', '<|pad|>'],
    minFrequency: 2,
    splitPattern: GPT2_SPLIT_PATTERN,
  });
});
