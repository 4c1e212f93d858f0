/**
 * Pre-tokenization: the regex split that cuts text into "words" before BPE runs inside each word.
 * Merges never cross a word boundary, which keeps training and encoding fast and cacheable.
 */
import { splitGpt2 } from './gpt2-split.ts';

/** The GPT-2 split pattern (Radford et al. 2019; the same string Hugging Face `ByteLevel` uses). */
export const GPT2_SPLIT_PATTERN =
  "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

/**
 * Compile a split pattern (as found in a `tokenizer.json`) into a global unicode RegExp.
 * Node 20's RegExp lacks inline modifier groups, so a `(?i:…)` group holding only literal
 * alternatives (Llama 3 and Qwen use `(?i:'s|'t|'re|'ve|'m|'ll|'d)`) is rewritten with
 * character classes (`'[sS]|…`). Throws `SyntaxError` when the pattern cannot be compiled.
 */
export function compileSplitPattern(pattern: string): RegExp {
  const rewritten = pattern.replace(/\(\?i:([^()[\]\\]*)\)/g, (_whole, body: string) => {
    const cased = body.replace(/\p{L}/gu, (letter) => {
      const lower = letter.toLowerCase();
      const upper = letter.toUpperCase();
      return lower === upper ? letter : `[${lower}${upper}]`;
    });
    return `(?:${cased})`;
  });
  return new RegExp(rewritten, 'gu');
}

/**
 * Split `text` into consecutive pieces whose concatenation is exactly `text`: every match of
 * `pattern` is a piece, and so is every stretch between matches (Hugging Face's `Isolated`
 * behaviour). `pattern` must have the `g` flag; its `lastIndex` is reset.
 */
export function splitWords(text: string, pattern: RegExp, onWord: (word: string) => void): void {
  pattern.lastIndex = 0;
  let cursor = 0;
  let match: RegExpExecArray | null;
  while ((match = pattern.exec(text)) !== null) {
    const start = match.index;
    const word = match[0];
    if (word.length === 0) {
      pattern.lastIndex = start + ((text.codePointAt(start) ?? 0) > 0xffff ? 2 : 1);
      continue;
    }
    if (start > cursor) onWord(text.slice(cursor, start));
    onWord(word);
    cursor = start + word.length;
  }
  if (cursor < text.length) onWord(text.slice(cursor));
}

/** Cuts text into words, calling `onWord` for each piece in order. */
export type Splitter = (text: string, onWord: (word: string) => void) => void;

/**
 * The splitter for `pattern`: the hand-written GPT-2 scanner when `pattern` is the GPT-2 pattern
 * (same output, much faster), else the compiled regex. Throws `SyntaxError` for a bad pattern.
 */
export function createSplitter(pattern: string): Splitter {
  if (pattern === GPT2_SPLIT_PATTERN) return splitGpt2;
  const regex = compileSplitPattern(pattern);
  return (text, onWord) => splitWords(text, regex, onWord);
}
