/**
 * Stop strings at the end of a reply that was cut by the token limit. `generate` stops a row only when a whole
 * stop string has appeared, so a row cut by `maxNewTokens` can end with the start of one (an HH model's reply
 * cut at `"\n\nHum"`). Chat replies must never show that; a stream must not send it before it knows.
 */

/** Length of the longest suffix of `text` that is a proper, non-empty prefix of one of `stops` (0 when none). */
export function partialStopLength(text: string, stops: readonly string[]): number {
  let longest = 0;
  for (const stop of stops) {
    for (let length = Math.min(stop.length - 1, text.length); length > longest; length--) {
      if (text.endsWith(stop.slice(0, length))) {
        longest = length;
        break;
      }
    }
  }
  return longest;
}

/**
 * `text` without a trailing start of a stop string.
 * @example
 * withoutPartialStop('Sure.\n\nHum', ['\n\nHuman:']) // 'Sure.'
 */
export function withoutPartialStop(text: string, stops: readonly string[]): string {
  return text.slice(0, text.length - partialStopLength(text, stops));
}

/**
 * The part of a growing text that is safe to stream now: everything but a trailing start of a stop string and
 * a trailing U+FFFD (the next token may complete that character).
 */
export function streamableText(text: string, stops: readonly string[]): string {
  const stable = text.replace(/\uFFFD+$/u, '');
  return withoutPartialStop(stable, stops);
}
