/**
 * Targets from command-line specs: `openai:MODEL` (with `--base-url`, `--api-key-env`, `--header`, …) for any
 * OpenAI-compatible endpoint, and `hhrl:DIR` for a local hhrl checkpoint run in-process.
 */
import type { ChatTarget } from '../../spec/chat-target.ts';
import { ConfigError } from '../../spec/errors.ts';
import { loadGptChatModel } from './gpt-chat-model.ts';
import { createModelTarget } from './model-target.ts';
import { createOpenAiTarget, type OpenAiTargetDependencies } from './openai-target.ts';

/** Endpoint flags shared by targets and the LLM judge. */
export interface EndpointFlags {
  readonly baseUrl?: string;
  readonly apiKeyEnv?: string;
  /** `Name: value` strings. */
  readonly headers?: readonly string[];
  readonly timeoutMs?: number;
  readonly maxRetries?: number;
  readonly concurrency?: number;
  readonly maxTokens?: number;
  readonly temperature?: number;
  readonly seed?: number;
  readonly systemPrompt?: string;
}

/** Parse `Name: value` header flags. */
export function parseHeaders(headers: readonly string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  for (const header of headers) {
    const colon = header.indexOf(':');
    if (colon <= 0) throw new ConfigError(`--header "${header}": expected "Name: value"`);
    out[header.slice(0, colon).trim().toLowerCase()] = header.slice(colon + 1).trim();
  }
  return out;
}

/** Build an OpenAI-compatible target for `model` from endpoint flags. */
export function openAiTargetFromFlags(model: string, flags: EndpointFlags, dependencies: Partial<OpenAiTargetDependencies> = {}): ChatTarget {
  if (flags.baseUrl === undefined) throw new ConfigError(`openai:${model} needs --base-url (e.g. http://127.0.0.1:8000/v1)`);
  const defined = <T>(key: string, value: T | undefined) => (value === undefined ? {} : { [key]: value });
  return createOpenAiTarget(
    {
      baseUrl: flags.baseUrl,
      model,
      headers: parseHeaders(flags.headers),
      ...defined('apiKeyEnv', flags.apiKeyEnv),
      ...defined('timeoutMs', flags.timeoutMs),
      ...defined('maxRetries', flags.maxRetries),
      ...defined('concurrency', flags.concurrency),
      ...defined('maxTokens', flags.maxTokens),
      ...defined('temperature', flags.temperature),
      ...defined('seed', flags.seed),
      ...defined('systemPrompt', flags.systemPrompt),
    },
    dependencies,
  );
}

/** Build the target a spec names. */
export function targetFromSpec(spec: string, flags: EndpointFlags): ChatTarget {
  const colon = spec.indexOf(':');
  const kind = colon < 0 ? spec : spec.slice(0, colon);
  const rest = colon < 0 ? '' : spec.slice(colon + 1);
  if (kind === 'openai') {
    if (rest === '') throw new ConfigError('--target openai:MODEL needs a model name');
    return openAiTargetFromFlags(rest, flags);
  }
  if (kind === 'hhrl') {
    if (rest === '') throw new ConfigError('--target hhrl:DIR needs a checkpoint folder');
    return createModelTarget(loadGptChatModel(rest), {
      label: rest,
      concurrency: flags.concurrency ?? 16,
      generation: { maxTokens: flags.maxTokens ?? 128, temperature: flags.temperature ?? 0, stop: [], ...(flags.seed === undefined ? {} : { seed: flags.seed }) },
    });
  }
  throw new ConfigError(`unknown target "${spec}"; expected openai:MODEL or hhrl:DIR`);
}
