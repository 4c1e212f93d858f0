/**
 * GPT-2's reversible map between bytes and printable unicode characters ("bytes_to_unicode").
 * Byte-level BPE vocabularies in Hugging Face `tokenizer.json` files spell every token with these
 * characters, so a space is `Ġ` (U+0120) and a newline is `Ċ` (U+010A).
 */

function buildByteToChar(): string[] {
  // Printable Latin-1 bytes map to themselves; the other 68 bytes map to U+0100 upward, in byte order.
  const printable = (byte: number): boolean =>
    (byte >= 0x21 && byte <= 0x7e) || (byte >= 0xa1 && byte <= 0xac) || (byte >= 0xae && byte <= 0xff);
  const chars: string[] = new Array(256);
  let next = 0;
  for (let byte = 0; byte < 256; byte++) {
    chars[byte] = String.fromCharCode(printable(byte) ? byte : 256 + next++);
  }
  return chars;
}

/** `BYTE_TO_CHAR[b]` is the character GPT-2 uses to spell byte `b` (256 entries, all distinct). */
export const BYTE_TO_CHAR: readonly string[] = buildByteToChar();

/** Inverse of {@link BYTE_TO_CHAR}: character code → byte. */
export const CHAR_TO_BYTE: ReadonlyMap<number, number> = new Map(
  BYTE_TO_CHAR.map((char, byte) => [char.charCodeAt(0), byte] as const),
);

/** Spell a byte string as GPT-2 characters (the form tokens take in `tokenizer.json`). */
export function bytesToTokenString(bytes: ArrayLike<number>): string {
  let text = '';
  for (let index = 0; index < bytes.length; index++) text += BYTE_TO_CHAR[bytes[index]];
  return text;
}

/** Inverse of {@link bytesToTokenString}; `undefined` when a character is not a byte-level character. */
export function tokenStringToBytes(token: string): Uint8Array | undefined {
  const bytes = new Uint8Array(token.length);
  for (let index = 0; index < token.length; index++) {
    const byte = CHAR_TO_BYTE.get(token.charCodeAt(index));
    if (byte === undefined) return undefined;
    bytes[index] = byte;
  }
  return bytes;
}
