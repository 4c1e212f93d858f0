/**
 * Targets from command-line specs: `openai:MODEL` (with `--base-url`, `--api-key-env`, `--header`, …) for any
 * OpenAI-compatible endpoint. `hhrl:DIR` (a local checkpoint) is recognised but needs a checkpoint loader from
 * `src/model`, which does not exist yet; until then serve the model with another server or wait for the loader.
 */
import type { ChatTarget } from '../../spec/chat-target.ts';
import { ConfigError } from '../../spec/errors.ts';
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
    throw new ConfigError(
      `--target hhrl:${rest}: loading local checkpoints as chat models is not available yet (src/model has no checkpoint loader and generator); ` +
        'serve the model behind an OpenAI-compatible server and use --target openai:MODEL --base-url URL',
    );
  }
  throw new ConfigError(`unknown target "${spec}"; expected openai:MODEL or hhrl:DIR`);
}
