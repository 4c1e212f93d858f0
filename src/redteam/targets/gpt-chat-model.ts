/**
 * An hhrl GPT checkpoint as a `ChatModel`: the conversation is written as an HH transcript ending with
 * `"\n\nAssistant:"`, the model continues it until the next turn marker, and concurrent greedy calls with equal
 * settings are generated as one batch (sampled calls run alone, so a seed still fixes each one's text). Replies
 * report their token usage, never end with the start of a stop string, and stop generating when cancelled.
 * This is what `hhrl serve --model DIR` serves and `--target hhrl:DIR` calls.
 */
import { serializeTranscript } from '../../data/hh-transcript.ts';
import type { GenerateOptions, Generation } from '../../model/generate.ts';
import { GptModel } from '../../model/gpt-model.ts';
import { streamableText, withoutPartialStop } from '../../model/stop-text.ts';
import type { ChatModel, Completion, CompletionPiece, GenerationOptions } from '../../spec/chat-target.ts';
import type { Conversation } from '../../spec/conversation.ts';
import { CheckpointError } from '../../spec/errors.ts';
import { microBatch } from '../micro-batch.ts';

/** Turn markers that end the assistant's turn. */
export const TURN_STOPS = ['\n\nHuman:', '\n\nAssistant:'] as const;

/** The prompt text the model continues. */
export function chatPrompt(conversation: Conversation): string {
  return `${serializeTranscript(conversation)}\n\nAssistant:`;
}

/** Options of the adapter. */
export interface GptChatModelOptions {
  /** Name reported by `/v1/models` and in target ids. */
  readonly id: string;
  /** Most conversations generated in one batch. */
  readonly maxBatch?: number;
}

/** A prompt waiting for its batch. */
interface BatchItem {
  readonly tokens: number[];
  readonly options: GenerationOptions;
  readonly signal?: AbortSignal;
}

/** Settings of `GptModel.generate` for one chat call: the request's stop strings plus the turn markers. */
function generateSettings(options: GenerationOptions): Partial<GenerateOptions> & { readonly stop: string[] } {
  return {
    maxNewTokens: options.maxTokens,
    temperature: options.temperature,
    seed: options.seed ?? 0,
    ...(options.topP === undefined ? {} : { topP: options.topP }),
    stop: [...TURN_STOPS, ...options.stop.filter((stop) => stop !== '')],
  };
}

/** The reply as shown: one leading space dropped (the transcript writes "Assistant: text"). */
const visible = (text: string): string => (text.startsWith(' ') ? text.slice(1) : text);

/** A finished generation as a completion: a reply cut by the limit loses a trailing start of a stop string. */
function toCompletion(generation: Generation, prompt: readonly number[], stops: readonly string[]): Completion {
  const finishReason = generation.finishReason === 'length' ? 'length' : 'stop';
  const text = visible(generation.text);
  return {
    text: finishReason === 'length' ? withoutPartialStop(text, stops) : text,
    finishReason,
    usage: {
      promptTokens: generation.promptTokens.length,
      completionTokens: generation.tokens.length,
      droppedPromptTokens: prompt.length - generation.promptTokens.length,
    },
  };
}

/** A signal that aborts once every one of `signals` has (undefined when any call cannot be cancelled). */
function allAborted(signals: readonly (AbortSignal | undefined)[]): AbortSignal | undefined {
  if (signals.some((signal) => signal === undefined)) return undefined;
  const controller = new AbortController();
  const check = () => {
    if (signals.every((signal) => signal!.aborted)) controller.abort(signals[0]!.reason);
  };
  for (const signal of signals) signal!.addEventListener('abort', check, { once: true });
  check();
  return controller.signal;
}

/** `promise`, or a rejection with `signal.reason` as soon as `signal` aborts. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Wrap a loaded GPT (with a language-model head) as a chat model. */
export function createGptChatModel(model: GptModel, options: GptChatModelOptions): ChatModel {
  if (!model.heads.lm) throw new CheckpointError(`${options.id}: the checkpoint has no language-model head, so it cannot chat`);
  let unique = 0;
  const generateBatch = microBatch(
    async (prompts: BatchItem[]): Promise<Completion[]> => {
      // a batch stops early only when every caller in it has gone
      const signal = allAborted(prompts.map((prompt) => prompt.signal));
      const settings = generateSettings(prompts[0].options);
      const generations = await model.generate(
        prompts.map((prompt) => prompt.tokens),
        settings,
        signal === undefined ? {} : { signal },
      );
      return generations.map((generation, index) => toCompletion(generation, prompts[index].tokens, settings.stop));
    },
    {
      maxBatch: options.maxBatch ?? 16,
      key: (prompt) => (prompt.options.temperature === 0 ? JSON.stringify(prompt.options) : `sampled-${unique++}`),
    },
  );
  return {
    id: options.id,
    complete: async (conversation, generation, signal) => {
      signal?.throwIfAborted();
      const tokens = model.tokenizer.encode(chatPrompt(conversation));
      return untilAborted(generateBatch({ tokens, options: generation, ...(signal === undefined ? {} : { signal }) }), signal);
    },
    stream: (conversation, generation, signal) => streamCompletion(model, conversation, generation, signal),
  };
}

/**
 * One conversation generated alone, its text handed out chunk by chunk as the graph produces it. Text that could
 * be the start of a stop string is held back until the next chunk settles it; the last piece carries the usage.
 * Leaving the loop early, or aborting `signal`, stops the generation.
 */
async function* streamCompletion(
  model: GptModel,
  conversation: Conversation,
  options: GenerationOptions,
  signal: AbortSignal | undefined,
): AsyncIterable<CompletionPiece> {
  const pending: string[] = [];
  let wake: (() => void) | undefined;
  let sent = '';
  let done = false;
  const settings = generateSettings(options);
  const stops = settings.stop;
  const prompt = model.tokenizer.encode(chatPrompt(conversation));
  const stopper = new AbortController(); // aborted when the consumer leaves early
  const finished = model
    .generate([prompt], settings, {
      signal: signal === undefined ? stopper.signal : AbortSignal.any([signal, stopper.signal]),
      onText: (_row, text) => {
        const stable = streamableText(visible(text), stops);
        if (stable.startsWith(sent) && stable.length > sent.length) {
          pending.push(stable.slice(sent.length));
          sent = stable;
          wake?.();
        }
      },
    })
    .finally(() => {
      done = true;
      wake?.();
    });
  finished.catch(() => undefined); // observed below, or irrelevant once the consumer has left
  try {
    while (!done || pending.length > 0) {
      if (pending.length === 0) {
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        continue;
      }
      yield { text: pending.shift()! };
    }
    const [generation] = await finished;
    const completion = toCompletion(generation, prompt, stops);
    const rest = completion.text.startsWith(sent) ? completion.text.slice(sent.length) : '';
    yield { text: rest, finishReason: completion.finishReason, ...(completion.usage === undefined ? {} : { usage: completion.usage }) };
  } finally {
    stopper.abort(new Error('the stream was closed before the completion finished'));
  }
}

/** Load a checkpoint folder as a chat model named after the folder. */
export function loadGptChatModel(dir: string, id = dir.replace(/\/+$/, '').split('/').pop() ?? dir): ChatModel {
  return createGptChatModel(GptModel.load(dir).model, { id });
}
