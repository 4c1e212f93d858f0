/**
 * The policies that write the candidate replies, from the command line's `--policy SPEC`: an hhrl checkpoint
 * or run folder run in-process, or `openai:BASE_URL#MODEL`, any OpenAI-compatible endpoint (vLLM, llama.cpp, Ollama, or
 * another `hhrl serve`). A failed endpoint call rejects, so the app reports it as an error, never as a reply.
 */
import { createOpenAiTarget } from '../../redteam/targets/openai-target.ts';
import type { ChatModel } from '../../spec/chat-target.ts';
import { ConfigError, TargetError } from '../../spec/errors.ts';
import { loadChatModelFolder } from '../model-folder.ts';

/** Sampling settings an endpoint policy is created with (an endpoint call cannot change them per request). */
export interface EndpointSettings {
  readonly maxTokens: number;
  readonly temperature: number;
  /** Environment variable holding the endpoint's API key, if it needs one. */
  readonly apiKeyEnv?: string;
}

/** An OpenAI-compatible endpoint as a chat model named `openai:MODEL`. */
export function endpointPolicy(baseUrl: string, model: string, settings: EndpointSettings): ChatModel {
  const target = createOpenAiTarget({
    baseUrl, model, maxTokens: settings.maxTokens, temperature: Math.min(2, settings.temperature),
    ...(settings.apiKeyEnv === undefined ? {} : { apiKeyEnv: settings.apiKeyEnv }),
  });
  return {
    id: `openai:${model}`,
    complete: async (conversation) => {
      const reply = await target.chat(conversation);
      if (reply.error !== undefined) throw new TargetError(`${baseUrl} (${model}): ${reply.error}`);
      return { text: reply.text, finishReason: reply.finishReason === 'length' ? 'length' : 'stop' };
    },
  };
}

/**
 * The policy a `--policy` value names.
 * @throws ConfigError for an `openai:` spec without `#MODEL`; CheckpointError when the folder holds no readable model.
 */
export function loadPolicy(spec: string, settings: EndpointSettings): ChatModel {
  if (spec.startsWith('openai:')) {
    const rest = spec.slice('openai:'.length);
    const hash = rest.lastIndexOf('#');
    if (hash <= 0 || hash === rest.length - 1) throw new ConfigError(`--policy ${spec}: expected openai:BASE_URL#MODEL, e.g. openai:http://127.0.0.1:8000/v1#hhrl`);
    return endpointPolicy(rest.slice(0, hash), rest.slice(hash + 1), settings);
  }
  return loadChatModelFolder(spec, '--policy');
}
