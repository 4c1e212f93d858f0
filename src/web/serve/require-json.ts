/**
 * Every POST to `hhrl serve` must say `Content-Type: application/json`. A browser sends a cross-site form or a
 * "simple" fetch as `text/plain` without a CORS preflight, so accepting those would let any web page the operator
 * visits start generations on a loopback server (a CSRF); a JSON content type forces the preflight, which fails.
 */
import type { MiddlewareHandler } from 'hono';
import { openAiError } from './openai-errors.ts';

/** Middleware: 415 for a POST whose media type is not `application/json`. */
export function requireJsonBody(): MiddlewareHandler {
  return async (context, next) => {
    if (context.req.method === 'POST') {
      const type = (context.req.header('content-type') ?? '').split(';')[0].trim().toLowerCase();
      if (type !== 'application/json') {
        return openAiError(
          context,
          415,
          'unsupported_media_type',
          `expected "Content-Type: application/json", got ${type === '' ? 'none' : JSON.stringify(type)}`,
        );
      }
    }
    await next();
  };
}
