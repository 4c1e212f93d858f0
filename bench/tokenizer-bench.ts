/**
 * Tokenizer benchmark: training time and encode/decode speed on the real HH dev text.
 *
 *   npm run bench:tokenizer -- [--json FILE] [--runs N]
 *
 * The corpus is every transcript (chosen and rejected) of
 * data/hh-rlhf/harmless-base-test.dev.jsonl.gz. Each figure is the median of N runs
 * (default 5). "cold" encodes with an empty word cache (a freshly built tokenizer), "warm" with the
 * cache filled by a previous pass over the same text.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { referenceDataPath } from '../src/data/reference-data.ts';
import { BpeTokenizer, loadTokenizer, saveTokenizer, trainBpeTokenizer } from '../src/model/tokenizer/index.ts';

const { values } = parseArgs({ options: { json: { type: 'string' }, runs: { type: 'string', default: '5' } } });
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer (got ${values.runs})`);

const dataPath = referenceDataPath('hhRlhfDev');
const texts = gunzipSync(readFileSync(dataPath))
  .toString('utf8')
  .split('\n')
  .filter((line) => line.length > 0)
  .flatMap((line) => {
    const row = JSON.parse(line) as { chosen: string; rejected: string };
    return [row.chosen, row.rejected];
  });
const corpusBytes = texts.reduce((sum, text) => sum + Buffer.byteLength(text, 'utf8'), 0);

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function timeMs(body: () => void): number {
  const start = performance.now();
  body();
  return performance.now() - start;
}

function encodeAll(tokenizer: BpeTokenizer): number[][] {
  return texts.map((text) => tokenizer.encode(text));
}

interface VocabResult {
  vocab_size: number;
  merges: number;
  train_ms: number;
  tokens: number;
  bytes_per_token: number;
  encode_cold_mb_per_s: number;
  encode_warm_mb_per_s: number;
  encode_warm_tokens_per_s: number;
  decode_mb_per_s: number;
  load_tokenizer_json_ms: number;
  long_word_200kb_encode_ms: number;
}

/** 200 kB of HH text with whitespace and punctuation removed: one pre-token word (worst case for BPE). */
const longWord = texts.slice(0, 100).join('').replace(/[\s\p{P}]/gu, '').slice(0, 200_000);

const results: VocabResult[] = [];
for (const vocabSize of [1024, 2048, 4096]) {
  let tokenizer: BpeTokenizer | undefined;
  const trainMs = median(Array.from({ length: runs }, () => timeMs(() => (tokenizer = trainBpeTokenizer(texts, { vocabSize })))));
  const trained = tokenizer!;
  let encoded: number[][] = [];
  const coldMs = median(Array.from({ length: runs }, () => {
    const fresh = new BpeTokenizer(trained.parts);
    return timeMs(() => (encoded = encodeAll(fresh)));
  }));
  encodeAll(trained);
  const warmMs = median(Array.from({ length: runs }, () => timeMs(() => (encoded = encodeAll(trained)))));
  const decodeMs = median(Array.from({ length: runs }, () => timeMs(() => {
    for (const ids of encoded) trained.decode(ids);
  })));
  for (let index = 0; index < texts.length; index++) {
    if (trained.decode(encoded[index]) !== texts[index]) throw new Error(`round trip failed on transcript ${index}`);
  }
  const path = join(tmpdir(), `hhrl-bench-tokenizer-${process.pid}.json`);
  saveTokenizer(trained, path);
  const loadMs = median(Array.from({ length: runs }, () => timeMs(() => loadTokenizer(path))));
  const longWordMs = median(Array.from({ length: runs }, () => timeMs(() => trained.encode(longWord))));
  const tokens = encoded.reduce((sum, ids) => sum + ids.length, 0);
  const megabytes = corpusBytes / 1e6;
  results.push({
    vocab_size: vocabSize,
    merges: trained.mergeCount,
    train_ms: Math.round(trainMs),
    tokens,
    bytes_per_token: Number((corpusBytes / tokens).toFixed(3)),
    encode_cold_mb_per_s: Number((megabytes / (coldMs / 1000)).toFixed(2)),
    encode_warm_mb_per_s: Number((megabytes / (warmMs / 1000)).toFixed(2)),
    encode_warm_tokens_per_s: Math.round(tokens / (warmMs / 1000)),
    decode_mb_per_s: Number((megabytes / (decodeMs / 1000)).toFixed(2)),
    load_tokenizer_json_ms: Number(loadMs.toFixed(1)),
    long_word_200kb_encode_ms: Math.round(longWordMs),
  });
}

const report = {
  corpus: { file: 'hh-rlhf/harmless-base-test.dev.jsonl.gz', transcripts: texts.length, bytes: corpusBytes },
  runs,
  results,
  machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, node: process.version },
};
if (values.json) writeFileSync(values.json, `${JSON.stringify(report, null, 2)}\n`);
console.log(`corpus: ${texts.length} HH transcripts, ${(corpusBytes / 1e6).toFixed(2)} MB; medians of ${runs} runs; ${report.machine.cpu} ×${report.machine.cores}`);
console.table(
  results.map((result) => ({
    vocab: result.vocab_size,
    'train s': (result.train_ms / 1000).toFixed(2),
    'bytes/token': result.bytes_per_token,
    'encode cold MB/s': result.encode_cold_mb_per_s,
    'encode warm MB/s': result.encode_warm_mb_per_s,
    'warm tokens/s': result.encode_warm_tokens_per_s,
    'decode MB/s': result.decode_mb_per_s,
    'load json ms': result.load_tokenizer_json_ms,
    '200 kB word ms': result.long_word_200kb_encode_ms,
  })),
);
