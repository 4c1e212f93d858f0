/**
 * `POST /v1/chat/completions`: validate, take a generation slot (or answer 429), generate — whole or as
 * server-sent events — and give the slot back. A client that disconnects aborts its generation, which stops
 * within one decoding step; model failures are logged and answered with a generic error that leaks nothing.
 */
import type { Context } from 'hono';
import { streamSSE, type SSEStreamingApi } from 'hono/streaming';
import type { ChatModel, CompletionPiece, GenerationOptions } from '../../spec/chat-target.ts';
import type { Conversation } from '../../spec/conversation.ts';
import { completionPieces } from '../chat-pieces.ts';
import { GenerationSlots, SlotsFullError } from './generation-slots.ts';
import { chunkBody, completionBody, finishChunkBody, usageChunkBody, type BodyBase } from './openai-bodies.ts';
import { errorBody, openAiError } from './openai-errors.ts';
import { ChatCompletionRequestSchema, messagesToConversation, type ChatCompletionRequest } from './openai-schema.ts';

/** What the handler needs from the app. */
export interface CompletionDeps {
  readonly model: ChatModel;
  readonly slots: GenerationSlots;
  readonly defaultMaxTokens: number;
  readonly maxTokensLimit: number;
  readonly defaultTemperature: number;
  readonly createdAt: number;
  /** Seconds a client turned away with 429 is told to wait. */
  readonly retryAfterSeconds: number;
  /** Where failures are logged (the response only carries their id). */
  readonly log: (line: string) => void;
  /** A fresh request id. */
  readonly nextId: () => string;
}

/** Settings the model gets for `request`. */
export function generationOptions(request: ChatCompletionRequest, defaults: Pick<CompletionDeps, 'defaultMaxTokens' | 'defaultTemperature'>): GenerationOptions {
  const stop = request.stop === undefined || request.stop === null ? [] : typeof request.stop === 'string' ? [request.stop] : request.stop;
  return {
    maxTokens: request.max_completion_tokens ?? request.max_tokens ?? defaults.defaultMaxTokens,
    temperature: request.temperature ?? defaults.defaultTemperature,
    stop,
    ...(request.seed === undefined ? {} : { seed: request.seed }),
    ...(request.top_p === undefined || request.top_p === 1 ? {} : { topP: request.top_p }),
  };
}

/** A parsed request, or the error response for it. */
type Parsed = { request: ChatCompletionRequest; conversation: Conversation; escapedMarkers: number; generation: GenerationOptions } | Response;

async function parseRequest(context: Context, deps: CompletionDeps): Promise<Parsed> {
  let body: unknown;
  try {
    body = await context.req.json();
  } catch {
    return openAiError(context, 400, 'invalid_json', 'the request body is not valid JSON');
  }
  const parsed = ChatCompletionRequestSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return openAiError(context, 400, 'invalid_request', `${issue.path.join('.') || 'body'}: ${issue.message}`);
  }
  const request = parsed.data;
  if (request.model !== deps.model.id) {
    return openAiError(context, 404, 'model_not_found', `model "${request.model}" is not served here; use "${deps.model.id}"`);
  }
  const mapped = messagesToConversation(request.messages);
  if (typeof mapped === 'string') return openAiError(context, 400, 'invalid_request', `messages: ${mapped}`);
  const generation = generationOptions(request, deps);
  if (generation.maxTokens > deps.maxTokensLimit) {
    return openAiError(context, 400, 'invalid_request', `max_tokens: at most ${deps.maxTokensLimit}`);
  }
  return { request, conversation: mapped.conversation, escapedMarkers: mapped.escapedMarkers, generation };
}

/** Log a failure and return the id the client is told. */
function logFailure(deps: CompletionDeps, id: string, error: unknown): string {
  deps.log(`hhrl serve: ${id} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  return `generation failed (request ${id}; the server log has the details)`;
}

/** The route handler. */
export async function chatCompletion(context: Context, deps: CompletionDeps): Promise<Response> {
  const parsed = await parseRequest(context, deps);
  if (parsed instanceof Response) return parsed;
  const disconnected = context.req.raw.signal;
  let release: () => void;
  try {
    release = await deps.slots.acquire(disconnected);
  } catch (error) {
    if (!(error instanceof SlotsFullError)) return new Response(null, { status: 499 }); // left while waiting
    context.header('Retry-After', String(deps.retryAfterSeconds));
    return openAiError(context, 429, 'server_busy', `${error.message}; retry after ${deps.retryAfterSeconds} s`);
  }
  const base: BodyBase = { id: deps.nextId(), created: deps.createdAt, model: deps.model.id };
  if (parsed.request.stream !== true) {
    try {
      const completion = await deps.model.complete(parsed.conversation, parsed.generation, disconnected);
      return context.json(completionBody(base, completion, parsed.escapedMarkers));
    } catch (error) {
      if (disconnected.aborted) return new Response(null, { status: 499 }); // nobody is listening
      return openAiError(context, 500, 'generation_failed', logFailure(deps, base.id, error));
    } finally {
      release();
    }
  }
  return streamSSE(context, async (stream) => {
    const closed = new AbortController();
    stream.onAbort(() => closed.abort(new Error('the client closed the stream')));
    const signal = AbortSignal.any([disconnected, closed.signal]);
    try {
      await streamCompletion(stream, deps, base, parsed, signal);
    } catch (error) {
      if (signal.aborted) return;
      // headers are gone; report the failure in-band the way OpenAI does, then end without [DONE]
      await stream.writeSSE({ data: JSON.stringify(errorBody(500, 'generation_failed', logFailure(deps, base.id, error))) });
    } finally {
      release();
    }
  });
}

async function streamCompletion(
  stream: SSEStreamingApi,
  deps: CompletionDeps,
  base: BodyBase,
  parsed: Exclude<Parsed, Response>,
  signal: AbortSignal,
): Promise<void> {
  const send = (body: object) => stream.writeSSE({ data: JSON.stringify(body) });
  await send(chunkBody(base, { role: 'assistant', content: '' }, null));
  let last: CompletionPiece | undefined;
  for await (const piece of completionPieces(deps.model, parsed.conversation, parsed.generation, signal)) {
    if (signal.aborted) return; // leaving the loop closes the model's stream, which stops its generation
    if (piece.text !== '') await send(chunkBody(base, { content: piece.text }, null));
    last = piece;
  }
  await send(finishChunkBody(base, last, parsed.escapedMarkers));
  if (parsed.request.stream_options?.include_usage === true && last?.usage !== undefined) await send(usageChunkBody(base, last.usage));
  await stream.writeSSE({ data: '[DONE]' });
}
