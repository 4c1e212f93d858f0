/**
 * A target behind any OpenAI-compatible chat-completions endpoint (vLLM, llama.cpp server, Ollama, TGI, hosted
 * APIs, `hhrl serve`). Timeouts, HTTP errors, malformed replies and dropped connections come back as errors
 * (never thrown, never read as refusals); 429, 5xx, timeouts and network failures are retried with exponential
 * backoff and jitter; a limiter caps concurrent requests. `fetch`, `sleep` and the jitter source are injectable.
 */
import { z } from 'zod';
import type { ChatTarget, TargetReply } from '../../spec/chat-target.ts';
import type { Conversation } from '../../spec/conversation.ts';
import { ConfigError } from '../../spec/errors.ts';
import type { UniformSource } from '../../spec/strategy.ts';
import { seededUniform } from '../../attacks/seeded-random.ts';
import { backoffDelay, isRetriableStatus, retryAfterMs } from './backoff.ts';
import { createLimiter } from './limiter.ts';
import { nodeHttpFetch } from './node-http-fetch.ts';

/** Endpoint settings (the CLI builds them from flags). */
export const OpenAiTargetConfigSchema = z
  .object({
    baseUrl: z.url().describe('Base URL of the API, up to and including /v1 (e.g. http://127.0.0.1:8000/v1)'),
    model: z.string().min(1).describe('Model name sent in each request'),
    apiKeyEnv: z.string().min(1).optional().describe('Name of the environment variable holding the API key'),
    headers: z.record(z.string(), z.string()).default({}).describe('Extra HTTP headers sent with every request'),
    timeoutMs: z.number().int().positive().default(60_000).describe('Per-request timeout, headers and body included'),
    maxRetries: z.number().int().min(0).default(4).describe('Retries after a 429, 5xx, timeout or network failure'),
    retryBaseMs: z.number().positive().default(500).describe('Backoff before the first retry (doubles each retry)'),
    retryMaxMs: z.number().positive().default(30_000).describe('Largest backoff, also the cap on Retry-After'),
    concurrency: z.number().int().positive().default(16).describe('Most requests in flight at once'),
    maxTokens: z.number().int().positive().default(512).describe('max_tokens of each request'),
    temperature: z.number().min(0).max(2).default(0).describe('temperature of each request'),
    seed: z.number().int().optional().describe('seed of each request, when the server supports it'),
    systemPrompt: z.string().optional().describe('A system message put before the conversation'),
  })
  .strict();

/** Parsed endpoint settings. */
export type OpenAiTargetConfig = z.infer<typeof OpenAiTargetConfigSchema>;

/** Process-boundary dependencies, replaceable in tests. */
export interface OpenAiTargetDependencies {
  readonly fetch: typeof fetch;
  readonly sleep: (ms: number) => Promise<void>;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Jitter source for backoff. */
  readonly random: UniformSource;
  readonly now: () => number;
}

const DEPENDENCIES: OpenAiTargetDependencies = {
  fetch: nodeHttpFetch,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  env: process.env,
  random: seededUniform('openai-target-jitter'),
  now: () => Date.now(),
};

/** What a valid non-streaming reply must contain. */
const CompletionSchema = z.object({
  choices: z
    .array(
      z.object({
        // null content (a filtered or tool-only reply) is a reply with no text: the runner records it as "no reply"
        message: z.object({ content: z.string({ error: 'choices[0].message.content must be a string or null' }).nullable() }),
        finish_reason: z.string().nullish(),
      }),
    )
    .min(1, { error: 'choices is empty' }),
});

/** One HTTP try: a reply, or an error and whether it is worth retrying. */
type Outcome = { reply: { text: string; finishReason?: string } } | { error: string; retry: boolean; waitMs?: number };

/** The chat message list for a conversation. */
export function toOpenAiMessages(conversation: Conversation, systemPrompt?: string): { role: string; content: string }[] {
  const messages = conversation.map((turn) => ({ role: turn.role === 'human' ? 'user' : 'assistant', content: turn.text }));
  return systemPrompt === undefined ? messages : [{ role: 'system', content: systemPrompt }, ...messages];
}

/**
 * Create a target for an OpenAI-compatible endpoint.
 * @example
 * const target = createOpenAiTarget({ baseUrl: 'http://127.0.0.1:8000/v1', model: 'hhrl', apiKeyEnv: 'HHRL_API_KEY' });
 * const reply = await target.chat([{ role: 'human', text: 'Hello' }]);
 */
export function createOpenAiTarget(
  config: z.input<typeof OpenAiTargetConfigSchema>,
  dependencies: Partial<OpenAiTargetDependencies> = {},
): ChatTarget {
  const settings = OpenAiTargetConfigSchema.parse(config);
  const deps = { ...DEPENDENCIES, ...dependencies } satisfies OpenAiTargetDependencies;
  const headers: Record<string, string> = { 'content-type': 'application/json', ...settings.headers };
  if (settings.apiKeyEnv !== undefined) {
    const key = deps.env[settings.apiKeyEnv];
    if (key === undefined || key === '') throw new ConfigError(`environment variable ${settings.apiKeyEnv} (the API key) is not set`);
    headers.authorization = `Bearer ${key}`;
  }
  const url = `${settings.baseUrl.replace(/\/+$/, '')}/chat/completions`;
  const limiter = createLimiter(settings.concurrency);

  async function once(body: string): Promise<Outcome> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), settings.timeoutMs);
    try {
      const response = await deps.fetch(url, { method: 'POST', headers, body, signal: controller.signal });
      const text = await response.text();
      if (!response.ok) {
        const waitMs = retryAfterMs(response.headers.get('retry-after'), deps.now());
        return { error: `HTTP ${response.status}: ${text.slice(0, 200)}`, retry: isRetriableStatus(response.status), waitMs };
      }
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        return { error: `malformed reply: not JSON: ${JSON.stringify(text.slice(0, 100))}`, retry: false };
      }
      const parsed = CompletionSchema.safeParse(json);
      if (!parsed.success) return { error: `malformed reply: ${parsed.error.issues[0].message}`, retry: false };
      const choice = parsed.data.choices[0];
      return { reply: { text: choice.message.content ?? '', ...(choice.finish_reason ? { finishReason: choice.finish_reason } : {}) } };
    } catch (error) {
      if (controller.signal.aborted) return { error: `timeout after ${settings.timeoutMs} ms`, retry: true };
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      return { error: `network error: ${(error as Error).message}${cause?.message ? ` (${cause.message})` : ''}`, retry: true };
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    id: `openai:${settings.model}@${settings.baseUrl}`,
    chat: (conversation) =>
      limiter.run(async (): Promise<TargetReply> => {
        const body = JSON.stringify({
          model: settings.model,
          messages: toOpenAiMessages(conversation, settings.systemPrompt),
          max_tokens: settings.maxTokens,
          temperature: settings.temperature,
          ...(settings.seed === undefined ? {} : { seed: settings.seed }),
        });
        for (let call = 1; ; call++) {
          const outcome = await once(body);
          if ('reply' in outcome) return { ...outcome.reply, calls: call };
          if (!outcome.retry || call > settings.maxRetries) {
            return { text: '', error: call > 1 ? `${outcome.error} (after ${call} calls)` : outcome.error, calls: call };
          }
          const backoff = backoffDelay(call - 1, { baseMs: settings.retryBaseMs, maxMs: settings.retryMaxMs }, deps.random);
          await deps.sleep(Math.min(settings.retryMaxMs, Math.max(backoff, outcome.waitMs ?? 0)));
        }
      }),
  };
}
