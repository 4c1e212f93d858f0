/**
 * Prompts for rollouts: a PROMPT SPEC names where they come from, and every prompt carries its
 * conversation, its HH prompt text (ending `"\n\nAssistant:"`) and, on world data, the request with
 * its ground truth so the oracle can judge responses exactly.
 *
 * Prompt specs:
 * - `world:DIR` — the RL train pool of a world folder; `world:DIR:test` its test pool;
 * - `world:DIR:eval` — the world's held-out evaluation sets (harmful by category and by strategy,
 *   borderline, benign, ambiguous);
 * - `FILE.jsonl` — one JSON object a line with `"prompt"` (HH text) or `"conversation"` (turns).
 */
import { z } from 'zod';
import { serializeTranscript, parseTranscript } from '../hh-transcript.ts';
import type { Conversation } from '../../spec/conversation.ts';
import { ConfigError, DataFormatError } from '../../spec/errors.ts';
import { jsonLines, parseJsonValue, readInputText } from '../../util/json-input.ts';
import { EVAL_SET_NAMES, loadWorld, type KnowledgeBase, type StoredPrompt, type WorldRequest } from '../../world/index.ts';

/** One prompt to continue. */
export interface RolloutPrompt {
  readonly id: string;
  /** Turns so far (ends with a human turn). */
  readonly conversation: Conversation;
  /** The conversation as HH text ending with `"\n\nAssistant:"` (what the policy continues). */
  readonly prompt: string;
  /** The world request with its ground truth (world prompts only). */
  readonly request?: WorldRequest;
  /** Attack strategy applied to the request (world `harmfulByStrategy` set only). */
  readonly strategy?: string;
  /** Which evaluation set the prompt belongs to (world `eval` prompts only). */
  readonly set?: string;
  /**
   * The knowledge base of the prompt's world (world prompts only): with it the oracle is strict about form, so a
   * response that does not parse as the world's language is judged `garbled` (issue #14).
   */
  readonly knowledge?: KnowledgeBase;
}

/** The HH prompt text of a conversation: its transcript followed by `"\n\nAssistant:"`. */
export function promptText(conversation: Conversation): string {
  return `${serializeTranscript(conversation)}\n\nAssistant:`;
}

function fromStored(item: StoredPrompt, knowledge: KnowledgeBase, set?: string): RolloutPrompt {
  return {
    id: item.id,
    conversation: item.conversation,
    prompt: item.prompt,
    request: item.request,
    knowledge,
    ...(item.strategy === undefined ? {} : { strategy: item.strategy }),
    ...(set === undefined ? {} : { set }),
  };
}

/** The world's evaluation sets as prompts, each tagged with its set name. */
export function worldEvalPrompts(dir: string): RolloutPrompt[] {
  const world = loadWorld(dir);
  return EVAL_SET_NAMES.flatMap((name) => world.evalSet(name).map((item) => fromStored(item, world.model.knowledge, name)));
}

const PromptRowSchema = z
  .object({
    id: z.string().optional(),
    prompt: z.string().optional(),
    conversation: z.array(z.object({ role: z.enum(['human', 'assistant']), text: z.string() })).min(1).optional(),
  })
  .refine((row) => row.prompt !== undefined || row.conversation !== undefined, { message: 'expected a "prompt" string or a "conversation" array' });
const PROMPT_ROW = 'a JSON object with "prompt" (HH text) or "conversation" ([{"role":"human"|"assistant","text":…}]) and an optional string "id"';

function readPromptFile(path: string): RolloutPrompt[] {
  const text = readInputText('prompts', path);
  const prompts = jsonLines(text).map(({ line, text: raw }): RolloutPrompt => {
    const row = parseJsonValue(path, line, raw, PromptRowSchema, PROMPT_ROW);
    const id = row.id ?? `${path}:${line}`;
    let conversation: Conversation;
    if (row.prompt !== undefined) {
      try {
        conversation = parseTranscript(row.prompt.replace(/\n\nAssistant: ?$/, ''));
      } catch (error) {
        throw new DataFormatError(path, line, `expected "prompt" to be an HH transcript (${(error as Error).message})`, { cause: error });
      }
    } else conversation = row.conversation!;
    if (conversation.length === 0 || conversation[conversation.length - 1].role !== 'human') {
      const field = row.prompt !== undefined ? '"prompt"' : '"conversation"';
      throw new DataFormatError(path, line, `expected ${field} to end with a Human turn${row.prompt !== undefined ? ' (optionally followed by "\\n\\nAssistant:")' : ''}`);
    }
    return { id, conversation, prompt: promptText(conversation) };
  });
  if (prompts.length === 0) throw new DataFormatError(path, undefined, 'expected at least one prompt');
  return prompts;
}

const WORLD_PROMPT_SPEC = /^world:(.+?)(?::(train|test|eval))?$/;

/**
 * Load the prompts a spec names (see the module comment).
 * @throws ConfigError for a malformed spec; DataFormatError (file, line) for a bad prompt file.
 * @example
 * loadPrompts('world:runs/world').length // the world's RL train pool
 */
export function loadPrompts(spec: string): RolloutPrompt[] {
  const match = WORLD_PROMPT_SPEC.exec(spec);
  if (match) {
    const [, dir, part = 'train'] = match;
    if (part === 'eval') return worldEvalPrompts(dir);
    const world = loadWorld(dir);
    return world.prompts(part as 'train' | 'test').map((item) => fromStored(item, world.model.knowledge));
  }
  if (spec.startsWith('world:')) throw new ConfigError(`prompt spec "${spec}": expected world:DIR[:train|test|eval]`);
  return readPromptFile(spec);
}

/**
 * The world prompts whose request is of one of `categories` (a harm category such as `cybercrime`, or a benign
 * sub-kind such as `arithmetic`), in their order — e.g. to train RL on one slice of a world's pool.
 * @param spec the prompt spec the prompts came from, for the error
 * @throws ConfigError when a prompt carries no world request (a JSONL file), or a category names none of them
 *   (the message lists the categories there are).
 * @example promptsOfCategories(loadPrompts('world:runs/w'), ['cybercrime'], 'world:runs/w').length // 135
 */
export function promptsOfCategories(prompts: readonly RolloutPrompt[], categories: readonly string[], spec: string): RolloutPrompt[] {
  if (prompts.some((item) => item.request === undefined)) throw new ConfigError(`--categories: the prompts of "${spec}" are not a world's (no request with a category); use a world:DIR spec`);
  const present = new Set(prompts.map((item) => item.request!.category));
  const missing = categories.filter((category) => !present.has(category));
  if (missing.length > 0) throw new ConfigError(`--categories: no prompt of "${spec}" has the category ${missing.join(', ')}; there are ${[...present].sort().join(', ')}`);
  return prompts.filter((item) => categories.includes(item.request!.category));
}

/** The world folder a prompt spec reads, if it is a world spec. */
export function worldDirOf(spec: string): string | undefined {
  return WORLD_PROMPT_SPEC.exec(spec)?.[1];
}
