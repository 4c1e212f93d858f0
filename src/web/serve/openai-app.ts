/**
 * `hhrl serve`'s HTTP app: an OpenAI-compatible API over any `ChatModel` — `GET /v1/models` and
 * `POST /v1/chat/completions`, non-streaming and server-sent events — with request validation, a body size
 * limit and an optional API key. Built on hono, so it runs on Node (`listen.ts`) or any fetch-style runtime.
 */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { streamSSE } from 'hono/streaming';
import type { ChatModel, CompletionPiece, GenerationOptions } from '../../spec/chat-target.ts';
import type { Conversation } from '../../spec/conversation.ts';
import { requireApiKey } from './api-key.ts';
import { errorBody, openAiError } from './openai-errors.ts';
import { ChatCompletionRequestSchema, messagesToConversation, type ChatCompletionRequest } from './openai-schema.ts';

/** Server settings. */
export interface ServeOptions {
  /** Largest accepted request body, in bytes. */
  readonly maxBodyBytes: number;
  /** When set, every `/v1` request needs `Authorization: Bearer <apiKey>`. */
  readonly apiKey?: string;
  /** `max_tokens` when the request gives none. */
  readonly defaultMaxTokens: number;
  /** Upper bound on `max_tokens` (requests above it are rejected). */
  readonly maxTokensLimit: number;
  /** `temperature` when the request gives none. */
  readonly defaultTemperature: number;
  /** Unix time reported as the model's `created`. */
  readonly createdAt: number;
}

/** Defaults merged under the caller's options. */
export const SERVE_DEFAULTS = {
  maxBodyBytes: 1_000_000,
  defaultMaxTokens: 256,
  maxTokensLimit: 4096,
  defaultTemperature: 1,
  createdAt: 0,
} as const satisfies Omit<ServeOptions, 'apiKey'>;

function generationOptions(request: ChatCompletionRequest, options: ServeOptions): GenerationOptions {
  const stop = request.stop === undefined || request.stop === null ? [] : typeof request.stop === 'string' ? [request.stop] : request.stop;
  return {
    maxTokens: request.max_completion_tokens ?? request.max_tokens ?? options.defaultMaxTokens,
    temperature: request.temperature ?? options.defaultTemperature,
    stop,
    ...(request.seed === undefined ? {} : { seed: request.seed }),
  };
}

async function* piecesOf(model: ChatModel, conversation: Conversation, generation: GenerationOptions): AsyncIterable<CompletionPiece> {
  if (model.stream !== undefined) {
    yield* model.stream(conversation, generation);
    return;
  }
  const completion = await model.complete(conversation, generation);
  yield { text: completion.text, finishReason: completion.finishReason };
}

/**
 * Build the app for `model`.
 * @example
 * const app = createOpenAiApp(model, { apiKey: process.env.HHRL_API_KEY });
 * const server = await listen(app, { port: 8000 });
 */
export function createOpenAiApp(model: ChatModel, options: Partial<ServeOptions> = {}): Hono {
  const settings = { ...SERVE_DEFAULTS, ...options } satisfies ServeOptions;
  const app = new Hono();
  let served = 0;

  app.onError((error, context) => openAiError(context, 500, 'internal_error', `the server failed: ${error.message}`));
  app.notFound((context) => openAiError(context, 404, 'not_found', `no route ${context.req.method} ${context.req.path}`));
  if (settings.apiKey !== undefined && settings.apiKey !== '') app.use('/v1/*', requireApiKey(settings.apiKey));
  app.use(
    '/v1/*',
    bodyLimit({
      maxSize: settings.maxBodyBytes,
      onError: (context) => openAiError(context, 413, 'request_too_large', `request body over ${settings.maxBodyBytes} bytes`),
    }),
  );

  app.get('/v1/models', (context) =>
    context.json({ object: 'list', data: [{ id: model.id, object: 'model', created: settings.createdAt, owned_by: 'hhrl' }] }),
  );

  app.post('/v1/chat/completions', async (context) => {
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
    if (request.model !== model.id) {
      return openAiError(context, 404, 'model_not_found', `model "${request.model}" is not served here; use "${model.id}"`);
    }
    const conversation = messagesToConversation(request.messages);
    if (typeof conversation === 'string') return openAiError(context, 400, 'invalid_request', `messages: ${conversation}`);
    const generation = generationOptions(request, settings);
    if (generation.maxTokens > settings.maxTokensLimit) {
      return openAiError(context, 400, 'invalid_request', `max_tokens: at most ${settings.maxTokensLimit}`);
    }
    const id = `chatcmpl-${++served}`;
    const base = { id, created: settings.createdAt, model: model.id };

    if (request.stream !== true) {
      const completion = await model.complete(conversation, generation);
      return context.json({
        ...base,
        object: 'chat.completion',
        choices: [{ index: 0, message: { role: 'assistant', content: completion.text }, finish_reason: completion.finishReason }],
      });
    }

    return streamSSE(context, async (stream) => {
      const chunk = (delta: object, finishReason: string | null) =>
        stream.writeSSE({ data: JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finishReason }] }) });
      await chunk({ role: 'assistant', content: '' }, null);
      try {
        let finishReason: string = 'stop';
        for await (const piece of piecesOf(model, conversation, generation)) {
          if (piece.text !== '') await chunk({ content: piece.text }, null);
          if (piece.finishReason !== undefined) finishReason = piece.finishReason;
        }
        await chunk({}, finishReason);
      } catch (error) {
        // Headers are gone; report the failure in-band the way OpenAI does, then end without [DONE].
        await stream.writeSSE({ data: JSON.stringify(errorBody(500, 'generation_failed', (error as Error).message)) });
        return;
      }
      await stream.writeSSE({ data: '[DONE]' });
    });
  });

  return app;
}
