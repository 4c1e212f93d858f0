/**
 * Optional bearer-key check for `hhrl serve`: constant-time comparison of SHA-256 digests, and an
 * OpenAI-style JSON error on failure.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { openAiError } from './openai-errors.ts';

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** Middleware that requires `Authorization: Bearer <apiKey>`. */
export function requireApiKey(apiKey: string): MiddlewareHandler {
  const expected = digest(apiKey);
  return async (context, next) => {
    const header = context.req.header('authorization') ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header);
    if (match === null || !timingSafeEqual(digest(match[1].trim()), expected)) {
      return openAiError(context, 401, 'invalid_api_key', 'missing or wrong API key (send "Authorization: Bearer KEY")');
    }
    await next();
  };
}
