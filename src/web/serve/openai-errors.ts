/** OpenAI-style error bodies (`{"error":{"message","type","code"}}`), which OpenAI clients know how to show. */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** The `type` field OpenAI uses for each status family. */
function typeOf(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 404) return 'not_found_error';
  if (status === 413) return 'invalid_request_error';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

/** The JSON error body. */
export function errorBody(status: number, code: string, message: string): { error: { message: string; type: string; code: string } } {
  return { error: { message, type: typeOf(status), code } };
}

/** Respond with an OpenAI-style JSON error. */
export function openAiError(context: Context, status: ContentfulStatusCode, code: string, message: string): Response {
  return context.json(errorBody(status, code, message), status);
}
