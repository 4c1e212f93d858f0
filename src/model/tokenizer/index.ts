/**
 * Byte-level BPE tokenizer: training, encoding/decoding, Hugging Face `tokenizer.json` save/load.
 */
export { BpeTokenizer, DEFAULT_SPECIAL_TOKENS } from './bpe-tokenizer.ts';
export type { AddedToken, BpeTokenizerParts, DecodeOptions, EncodeOptions, PreTokenizerSpec } from './bpe-tokenizer.ts';
export { trainBpeTokenizer, countWords } from './train-bpe.ts';
export { bpeTrainingConfigSchema, parseBpeTrainingConfig, MAX_TRAINED_VOCAB_SIZE } from './tokenizer-config.ts';
export type { BpeTrainingConfig, BpeTrainingConfigInput } from './tokenizer-config.ts';
export { loadTokenizer, saveTokenizer, tokenizerFromHfJson, tokenizerToHfJson } from './hf-json.ts';
export { GPT2_SPLIT_PATTERN } from './pretokenize.ts';
