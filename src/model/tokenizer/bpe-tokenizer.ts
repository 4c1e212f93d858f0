/**
 * A byte-level BPE tokenizer (GPT-2 style): text → UTF-8 bytes → 256 byte tokens → learned merges,
 * inside words cut by a regex pre-tokenizer, plus added (special) tokens.
 *
 * Round trips are exact: `decode(encode(s)) === s` for every well-formed string `s`. A string holding
 * a lone UTF-16 surrogate has no UTF-8 form; it is encoded as U+FFFD (what `TextEncoder` does), so
 * such strings come back with U+FFFD in place of the lone surrogate.
 */
import { CheckpointError } from '../../spec/errors.ts';
import { BYTE_TO_CHAR, bytesToTokenString, tokenStringToBytes } from './byte-map.ts';
import { MAX_TOKEN_ID, MergeTable } from './bpe-merge.ts';
import { GPT2_SPLIT_PATTERN, createSplitter, type Splitter } from './pretokenize.ts';

/** A token matched as a whole string before pre-tokenization (e.g. `<|endoftext|>`). */
export interface AddedToken {
  readonly id: number;
  readonly content: string;
  /** Special tokens are matched in text only with `allowSpecial`; other added tokens always. */
  readonly special: boolean;
}

/** How text is cut into words before BPE. */
export interface PreTokenizerSpec {
  /** Split regex (Hugging Face `Isolated` behaviour); `null` = the whole segment is one word. */
  readonly pattern: string | null;
  /** Prepend a space to every text segment that does not start with one (GPT-2 option; off here). */
  readonly addPrefixSpace: boolean;
}

/** Everything that defines a tokenizer, in the form `tokenizer.json` stores it. */
export interface BpeTokenizerParts {
  /** Token (spelled with GPT-2's byte characters, e.g. `Ġthe`) → id. Must hold all 256 bytes. */
  readonly vocab: ReadonlyMap<string, number>;
  /** Merges in rank order, as pairs of vocab tokens. */
  readonly merges: ReadonlyArray<readonly [string, string]>;
  readonly addedTokens: readonly AddedToken[];
  readonly preTokenizer: PreTokenizerSpec;
  /** Hugging Face `ignore_merges`: a word that is itself in the vocab is one token. */
  readonly ignoreMerges?: boolean;
}

/** Options of {@link BpeTokenizer.encode}. */
export interface EncodeOptions {
  /** Match special tokens written in the text (default false: they are encoded as plain bytes). */
  readonly allowSpecial?: boolean;
}

/** Options of {@link BpeTokenizer.decode}. */
export interface DecodeOptions {
  /** Leave special tokens out of the text (default false). */
  readonly skipSpecial?: boolean;
}

/** Special tokens every hhrl tokenizer has unless configured otherwise. */
export const DEFAULT_SPECIAL_TOKENS: readonly string[] = ['<|endoftext|>', '<|pad|>'];

const CACHE_LIMIT = 100_000;
const CACHED_WORD_MAX_LENGTH = 64;
// ignoreBOM: keep a leading U+FEFF, which TextDecoder would otherwise drop (breaking round trips).
const utf8Decoder = new TextDecoder('utf-8', { ignoreBOM: true });

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

/** A regex matching any of `contents`, longest first; `null` when there are none. */
function alternation(contents: string[]): RegExp | null {
  if (contents.length === 0) return null;
  const sorted = [...contents].sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
  return new RegExp(sorted.map(escapeRegExp).join('|'), 'gu');
}

/** A byte-level BPE tokenizer. Build one with `trainBpeTokenizer`, `BpeTokenizer.fromBytes` or `loadTokenizer`. */
export class BpeTokenizer {
  /** One more than the largest token id. */
  readonly vocabSize: number;
  private readonly tokenBytes: (Uint8Array | undefined)[];
  private readonly specialIds = new Set<number>();
  private readonly addedByContent = new Map<string, number>();
  private readonly addedById = new Map<number, string>();
  private readonly byteIds = new Int32Array(256);
  private readonly mergeTable: MergeTable;
  private readonly splitter: Splitter | null;
  private readonly allAddedRegex: RegExp | null;
  private readonly plainAddedRegex: RegExp | null;
  private readonly cache = new Map<string, readonly number[]>();

  /**
   * Check `parts` and build the tokenizer. Throws `CheckpointError` naming `source` when the parts
   * are inconsistent (a missing byte token, a merge of unknown tokens, duplicate ids, …).
   */
  constructor(
    readonly parts: BpeTokenizerParts,
    source = 'tokenizer',
  ) {
    const fail: (problem: string) => never = (problem) => {
      throw new CheckpointError(`${source}: ${problem}`);
    };
    const tokenBytes: (Uint8Array | undefined)[] = [];
    const addedContents = new Set(parts.addedTokens.map((token) => token.content));
    const vocabTokenById = new Map<number, string>();
    for (const [token, id] of parts.vocab) {
      if (!Number.isInteger(id) || id < 0 || id > MAX_TOKEN_ID) fail(`token ${JSON.stringify(token)} has invalid id ${id}`);
      if (vocabTokenById.has(id)) fail(`id ${id} is used by two vocab tokens`);
      vocabTokenById.set(id, token);
      const bytes = tokenStringToBytes(token);
      if (bytes === undefined) {
        if (addedContents.has(token)) continue;
        fail(`vocab token ${JSON.stringify(token)} is not spelled in byte-level characters`);
      }
      tokenBytes[id] = bytes;
    }
    for (let byte = 0; byte < 256; byte++) {
      const id = parts.vocab.get(BYTE_TO_CHAR[byte]);
      if (id === undefined) fail(`vocab lacks the token for byte ${byte} (${JSON.stringify(BYTE_TO_CHAR[byte])})`);
      this.byteIds[byte] = id;
    }
    const merges = parts.merges.map(([left, right], rank): [number, number, number] => {
      const leftId = parts.vocab.get(left);
      const rightId = parts.vocab.get(right);
      const resultId = parts.vocab.get(left + right);
      if (leftId === undefined || rightId === undefined || resultId === undefined) {
        fail(`merge ${rank} (${JSON.stringify(left)} ${JSON.stringify(right)}) uses a token missing from the vocab`);
      }
      return [leftId, rightId, resultId];
    });
    this.mergeTable = new MergeTable(merges);
    for (const token of parts.addedTokens) {
      if (!Number.isInteger(token.id) || token.id < 0 || token.id > MAX_TOKEN_ID) fail(`added token ${JSON.stringify(token.content)} has invalid id ${token.id}`);
      if (token.content.length === 0) fail(`added token ${token.id} is empty`);
      if (this.addedByContent.has(token.content)) fail(`added token ${JSON.stringify(token.content)} is listed twice`);
      const vocabToken = vocabTokenById.get(token.id);
      const contentBytes = new TextEncoder().encode(token.content);
      if (vocabToken !== undefined && vocabToken !== token.content && vocabToken !== bytesToTokenString(contentBytes)) {
        fail(`added token ${JSON.stringify(token.content)} reuses id ${token.id} of vocab token ${JSON.stringify(vocabToken)}`);
      }
      if (this.addedById.has(token.id)) fail(`id ${token.id} is used by two added tokens`);
      this.addedByContent.set(token.content, token.id);
      this.addedById.set(token.id, token.content);
      tokenBytes[token.id] = contentBytes;
      if (token.special) this.specialIds.add(token.id);
    }
    this.tokenBytes = tokenBytes;
    this.vocabSize = tokenBytes.length;
    try {
      this.splitter = parts.preTokenizer.pattern === null ? null : createSplitter(parts.preTokenizer.pattern);
    } catch (error) {
      throw new CheckpointError(`${source}: split pattern cannot be compiled: ${(error as Error).message}`, { cause: error });
    }
    this.allAddedRegex = alternation(parts.addedTokens.map((token) => token.content));
    this.plainAddedRegex = alternation(parts.addedTokens.filter((token) => !token.special).map((token) => token.content));
  }

  /**
   * A tokenizer with no merges: ids 0–255 are the bytes, then one id per special token
   * (default `<|endoftext|>` = 256, `<|pad|>` = 257).
   */
  static fromBytes(specialTokens: readonly string[] = DEFAULT_SPECIAL_TOKENS): BpeTokenizer {
    const vocab = new Map<string, number>(BYTE_TO_CHAR.map((char, byte) => [char, byte]));
    const addedTokens = specialTokens.map((content, index) => ({ id: 256 + index, content, special: true }));
    return new BpeTokenizer({ vocab, merges: [], addedTokens, preTokenizer: { pattern: GPT2_SPLIT_PATTERN, addPrefixSpace: false } });
  }

  /** Number of merges. */
  get mergeCount(): number {
    return this.mergeTable.size;
  }

  /** The id of an added (e.g. special) token, or `undefined`. */
  addedTokenId(content: string): number | undefined {
    return this.addedByContent.get(content);
  }

  /** The id of an added token; throws when the tokenizer lacks it. */
  requireAddedTokenId(content: string): number {
    const id = this.addedByContent.get(content);
    if (id === undefined) throw new CheckpointError(`tokenizer has no token ${JSON.stringify(content)}`);
    return id;
  }

  /** True when `id` is a special token. */
  isSpecial(id: number): boolean {
    return this.specialIds.has(id);
  }

  /** The bytes a token stands for (an added token: its UTF-8). Throws `RangeError` for an unknown id. */
  bytesOf(id: number): Uint8Array {
    const bytes = Number.isInteger(id) ? this.tokenBytes[id] : undefined;
    if (bytes === undefined) throw new RangeError(`token id ${id} is not in the vocabulary (size ${this.vocabSize})`);
    return bytes;
  }

  /**
   * Text → token ids.
   * @example
   * const tokenizer = BpeTokenizer.fromBytes();
   * tokenizer.encode('hi<|endoftext|>', { allowSpecial: true }); // [104, 105, 256]
   */
  encode(text: string, options: EncodeOptions = {}): number[] {
    const ids: number[] = [];
    const added = options.allowSpecial ? this.allAddedRegex : this.plainAddedRegex;
    if (added === null) {
      this.encodeSegment(text, ids);
      return ids;
    }
    added.lastIndex = 0;
    let cursor = 0;
    let match: RegExpExecArray | null;
    while ((match = added.exec(text)) !== null) {
      if (match.index > cursor) this.encodeSegment(text.slice(cursor, match.index), ids);
      ids.push(this.addedByContent.get(match[0])!);
      cursor = match.index + match[0].length;
    }
    if (cursor < text.length) this.encodeSegment(text.slice(cursor), ids);
    return ids;
  }

  /** Token ids → the bytes they stand for (for streaming: a token may end inside a UTF-8 character). */
  decodeBytes(ids: ArrayLike<number>, options: DecodeOptions = {}): Uint8Array {
    const pieces: Uint8Array[] = [];
    let length = 0;
    for (let index = 0; index < ids.length; index++) {
      const id = ids[index];
      if (options.skipSpecial && this.specialIds.has(id)) continue;
      const bytes = this.bytesOf(id);
      pieces.push(bytes);
      length += bytes.length;
    }
    const out = new Uint8Array(length);
    let offset = 0;
    for (const piece of pieces) {
      out.set(piece, offset);
      offset += piece.length;
    }
    return out;
  }

  /** Token ids → text. Invalid UTF-8 (only possible for a sequence cut mid-character) becomes U+FFFD. */
  decode(ids: ArrayLike<number>, options: DecodeOptions = {}): string {
    return utf8Decoder.decode(this.decodeBytes(ids, options));
  }

  /** A token as `tokenizer.json` spells it (`Ġthe`); an added token as its content. */
  tokenString(id: number): string {
    return this.addedById.get(id) ?? bytesToTokenString(this.bytesOf(id));
  }

  private encodeSegment(segment: string, ids: number[]): void {
    const text = this.parts.preTokenizer.addPrefixSpace && !segment.startsWith(' ') ? ` ${segment}` : segment;
    if (this.splitter === null) this.encodeWord(text, ids);
    else this.splitter(text, (word) => this.encodeWord(word, ids));
  }

  private encodeWord(word: string, ids: number[]): void {
    const cached = this.cache.get(word);
    if (cached !== undefined) {
      for (const id of cached) ids.push(id);
      return;
    }
    const bytes = Buffer.from(word, 'utf8');
    let symbols: number[];
    const whole = this.parts.ignoreMerges ? this.parts.vocab.get(bytesToTokenString(bytes)) : undefined;
    if (whole !== undefined) {
      symbols = [whole];
    } else {
      symbols = new Array<number>(bytes.length);
      for (let index = 0; index < bytes.length; index++) symbols[index] = this.byteIds[bytes[index]];
      this.mergeTable.apply(symbols);
    }
    if (word.length <= CACHED_WORD_MAX_LENGTH) {
      if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
      this.cache.set(word, symbols);
    }
    for (const id of symbols) ids.push(id);
  }
}
