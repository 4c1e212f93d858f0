/**
 * Deterministic byte-level BPE training (Sennrich et al. 2016; GPT-2's byte-level variant).
 *
 * The corpus is cut into words by the pre-tokenizer and counted once; merges then run over the
 * unique words only, with pair counts updated incrementally for the words a merge touches (the
 * Hugging Face `tokenizers` approach) instead of rescanning the corpus. Ties between pairs with
 * equal counts go to the smaller (left id, right id), so the same corpus and config always give
 * the same tokenizer.
 */
import { BYTE_TO_CHAR } from './byte-map.ts';
import { BpeTokenizer } from './bpe-tokenizer.ts';
import { PAIR_KEY_BASE, pairKey } from './bpe-merge.ts';
import { PairHeap } from './pair-heap.ts';
import { createSplitter } from './pretokenize.ts';
import { parseBpeTrainingConfig, type BpeTrainingConfigInput } from './tokenizer-config.ts';

/** Unique words of a corpus with their counts (special-token strings are cut out first). */
export function countWords(texts: Iterable<string>, splitPattern: string, specialTokens: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  const split = createSplitter(splitPattern);
  const add = (word: string): void => {
    counts.set(word, (counts.get(word) ?? 0) + 1);
  };
  for (const text of texts) {
    let segments = [text];
    for (const special of specialTokens) segments = segments.flatMap((segment) => segment.split(special));
    for (const segment of segments) split(segment, add);
  }
  return counts;
}

/** A learned merge: `left right` → `result` (ids). */
export interface LearnedMerge {
  readonly left: number;
  readonly right: number;
  readonly result: number;
}

/**
 * Learn merges over `words` (byte-token ids 0–255, each with a count) until `newTokenCount` new
 * tokens exist or no pair occurs `minFrequency` times. `tokenStrings` holds the byte-level spellings of ids 0–255 on
 * entry and gains an entry per new token. A merge spelling an existing token reuses its id (as Hugging Face does).
 */
export function learnMerges(
  words: number[][],
  counts: readonly number[],
  tokenStrings: string[],
  newTokenCount: number,
  minFrequency: number,
): LearnedMerge[] {
  const pairCounts = new Map<number, number>();
  const pairWords = new Map<number, number[]>();
  const bump = (key: number, delta: number): void => {
    const next = (pairCounts.get(key) ?? 0) + delta;
    if (next === 0) pairCounts.delete(key);
    else pairCounts.set(key, next);
  };
  const listWord = (key: number, word: number): void => {
    const list = pairWords.get(key);
    if (list === undefined) pairWords.set(key, [word]);
    else list.push(word);
  };
  words.forEach((symbols, word) => {
    for (let index = 0; index + 1 < symbols.length; index++) {
      const key = pairKey(symbols[index], symbols[index + 1]);
      bump(key, counts[word]);
      listWord(key, word);
    }
  });
  const heap = new PairHeap();
  for (const [key, count] of pairCounts) heap.push(count, key);

  const idByString = new Map(tokenStrings.map((spelling, id) => [spelling, id] as const));
  const lastVisit = new Int32Array(words.length).fill(-1);
  const merges: LearnedMerge[] = [];
  let created = 0;
  while (created < newTokenCount) {
    const top = heap.pop();
    if (top === undefined) break;
    const current = pairCounts.get(top.key) ?? 0;
    if (current !== top.count) {
      // Counts of old pairs only fall; re-file this one at its true count.
      if (current > 0) heap.push(current, top.key);
      continue;
    }
    if (current < minFrequency) break;
    const left = Math.floor(top.key / PAIR_KEY_BASE);
    const right = top.key % PAIR_KEY_BASE;
    const spelling = tokenStrings[left] + tokenStrings[right];
    let result = idByString.get(spelling);
    if (result === undefined) {
      result = tokenStrings.length;
      tokenStrings.push(spelling);
      idByString.set(spelling, result);
      created++;
    }
    merges.push({ left, right, result });
    const grown = new Set<number>();
    const visit = merges.length;
    for (const word of pairWords.get(top.key) ?? []) {
      if (lastVisit[word] === visit) continue;
      lastVisit[word] = visit;
      mergeInWord(words, word, counts[word], left, right, result, bump, (key) => {
        grown.add(key);
        listWord(key, word);
      });
    }
    pairWords.delete(top.key);
    for (const key of grown) {
      const count = pairCounts.get(key);
      if (count !== undefined) heap.push(count, key);
    }
  }
  return merges;
}

/** Merge `left right` → `result` in one word and move its pair counts accordingly. */
function mergeInWord(
  words: number[][],
  word: number,
  count: number,
  left: number,
  right: number,
  result: number,
  bump: (key: number, delta: number) => void,
  onNewPair: (key: number) => void,
): void {
  const symbols = words[word];
  const merged: number[] = [];
  for (let index = 0; index < symbols.length; index++) {
    if (index + 1 < symbols.length && symbols[index] === left && symbols[index + 1] === right) {
      merged.push(result);
      index++;
    } else {
      merged.push(symbols[index]);
    }
  }
  if (merged.length === symbols.length) return;
  for (let index = 0; index + 1 < symbols.length; index++) bump(pairKey(symbols[index], symbols[index + 1]), -count);
  for (let index = 0; index + 1 < merged.length; index++) {
    const key = pairKey(merged[index], merged[index + 1]);
    bump(key, count);
    if (merged[index] === result || merged[index + 1] === result) onNewPair(key);
  }
  words[word] = merged;
}

/**
 * Train a byte-level BPE tokenizer on `texts`. Ids: 0–255 bytes, then merged tokens in the order
 * learned, then the special tokens in config order. Throws `ConfigError` for bad options.
 * @example
 * const tokenizer = trainBpeTokenizer(['the cat sat on the mat'], { vocabSize: 300, minFrequency: 1 });
 * tokenizer.decode(tokenizer.encode('the mat')); // 'the mat'
 */
export function trainBpeTokenizer(texts: Iterable<string>, options: BpeTrainingConfigInput): BpeTokenizer {
  const config = parseBpeTrainingConfig(options);
  const wordCounts = countWords(texts, config.splitPattern, config.specialTokens);
  const words: number[][] = [];
  const counts: number[] = [];
  for (const [word, count] of wordCounts) {
    words.push([...Buffer.from(word, 'utf8')]);
    counts.push(count);
  }
  const tokenStrings = BYTE_TO_CHAR.slice();
  const newTokenCount = config.vocabSize - 256 - config.specialTokens.length;
  const merges = learnMerges(words, counts, tokenStrings, newTokenCount, config.minFrequency);
  const vocab = new Map(tokenStrings.map((token, id) => [token, id] as const));
  const addedTokens = config.specialTokens.map((content, index) => ({ id: tokenStrings.length + index, content, special: true }));
  for (const token of addedTokens) if (!vocab.has(token.content)) vocab.set(token.content, token.id);
  return new BpeTokenizer({
    vocab,
    merges: merges.map((merge) => [tokenStrings[merge.left], tokenStrings[merge.right]] as const),
    addedTokens,
    preTokenizer: { pattern: config.splitPattern, addPrefixSpace: false },
  });
}
