/**
 * `hhrl serve`'s HTTP app: an OpenAI-compatible API over any `ChatModel` — `GET /v1/models` and
 * `POST /v1/chat/completions`, non-streaming and server-sent events — with request validation, a body size
 * limit, JSON-only POSTs, a bounded number of generations at once and an optional API key. Built on hono, so it runs on Node (`listen.ts`) or any fetch-style runtime.
 */
import { Hono } from 'hono';
import type { ChatModel } from '../../spec/chat-target.ts';
import { requireApiKey } from './api-key.ts';
import { chatCompletion } from './chat-completion.ts';
import { GenerationSlots } from './generation-slots.ts';
import { openAiError } from './openai-errors.ts';
import { requireJsonBody } from './require-json.ts';
import { bodySizeLimit } from '../body-size-limit.ts';

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
  /** Generations that run at once. */
  readonly maxConcurrent: number;
  /** Requests that may wait for a generation slot; more get 429 with `Retry-After`. */
  readonly maxQueued: number;
  /** The `Retry-After` seconds of a 429. */
  readonly retryAfterSeconds: number;
  /** Where failures are logged with their details (clients only see an id). */
  readonly log: (line: string) => void;
}

/** Defaults merged under the caller's options. */
export const SERVE_DEFAULTS = {
  maxBodyBytes: 1_000_000,
  defaultMaxTokens: 256,
  maxTokensLimit: 4096,
  defaultTemperature: 1,
  createdAt: 0,
  // one full micro-batch of the GPT chat model runs at once; a red-team runner at concurrency 64 (README) only
  // waits, while a flood past 16 + 256 is turned away instead of growing the queue
  maxConcurrent: 16,
  maxQueued: 256,
  retryAfterSeconds: 1,
  log: () => undefined,
} as const satisfies Omit<ServeOptions, 'apiKey'>;

/**
 * Build the app for `model`. `slots` may be passed in to share or inspect the admission limits.
 * @example
 * const app = createOpenAiApp(model, { apiKey: process.env.HHRL_API_KEY, maxConcurrent: 4 });
 * const server = await listen(app, { port: 8000 });
 */
export function createOpenAiApp(
  model: ChatModel,
  options: Partial<ServeOptions> = {},
  slots = new GenerationSlots({ limit: options.maxConcurrent ?? SERVE_DEFAULTS.maxConcurrent, queueLimit: options.maxQueued ?? SERVE_DEFAULTS.maxQueued }),
): Hono {
  const settings = { ...SERVE_DEFAULTS, ...options } satisfies ServeOptions;
  const app = new Hono();
  let served = 0;
  let failures = 0;

  app.onError((error, context) => {
    const id = `error-${++failures}`;
    settings.log(`hhrl serve: ${id} on ${context.req.method} ${context.req.path}: ${error.stack ?? error.message}`);
    return openAiError(context, 500, 'internal_error', `the server failed (${id}; the server log has the details)`);
  });
  app.notFound((context) => openAiError(context, 404, 'not_found', `no route ${context.req.method} ${context.req.path}`));
  if (settings.apiKey !== undefined && settings.apiKey !== '') app.use('/v1/*', requireApiKey(settings.apiKey));
  app.use('/v1/*', requireJsonBody());
  app.use(
    '/v1/*',
    bodySizeLimit({
      maxBytes: settings.maxBodyBytes,
      onError: (context) => openAiError(context, 413, 'request_too_large', `request body over ${settings.maxBodyBytes} bytes`),
    }),
  );

  app.get('/v1/models', (context) =>
    context.json({ object: 'list', data: [{ id: model.id, object: 'model', created: settings.createdAt, owned_by: 'hhrl' }] }),
  );

  app.post('/v1/chat/completions', (context) =>
    chatCompletion(context, { ...settings, model, slots, nextId: () => `chatcmpl-${++served}` }),
  );

  return app;
}
