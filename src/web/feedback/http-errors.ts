/** JSON errors of the feedback app's API: `{ "error": { "code", "message" } }`, and the store's refusals mapped to statuses. */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { FeedbackStoreError, type FeedbackErrorKind } from '../../data/store/feedback-store.ts';
import { TranscriptError } from '../../spec/errors.ts';

/** A JSON error response. */
export function jsonError(context: Context, status: ContentfulStatusCode, code: string, message: string): Response {
  return context.json({ error: { code, message } }, status);
}

const STATUS_OF = { 'not-found': 404, conflict: 409, invalid: 400 } as const satisfies Record<FeedbackErrorKind, ContentfulStatusCode>;

/** The response for an error a handler threw: the store's refusals and bad transcripts are the client's fault. */
export function errorResponse(context: Context, error: unknown): Response {
  if (error instanceof FeedbackStoreError) return jsonError(context, STATUS_OF[error.kind], error.kind, error.message);
  if (error instanceof TranscriptError) return jsonError(context, 400, 'invalid', `the message cannot be stored: ${error.expected}`);
  return jsonError(context, 500, 'internal', 'the server failed; try again');
}
