/**
 * Who labels an online round's pairs (`--labeler`), as a typed registry: the world's simulated annotators, an LLM
 * judge at an OpenAI-compatible endpoint (`judge-labeler.ts`), or people through the feedback web app, whose picks
 * the round waits for in a comparison store (`feedback-round.ts`).
 */
import { createOpenAiTarget } from '../../redteam/targets/openai-target.ts';
import { ConfigError } from '../../spec/errors.ts';
import type { AnnotatorPopulation } from '../../world/index.ts';
import { judgeLabeler } from '../judge-labeler.ts';
import { worldLabeler, type PairLabeler } from '../pair-labeler.ts';

/** The kinds of labeler `--labeler` names. */
export const LABELER_KINDS = ['world', 'feedback', 'judge'] as const;
/** One kind of labeler. */
export type LabelerKind = (typeof LABELER_KINDS)[number];

/** A parsed `--labeler` value. */
export interface LabelerSpec {
  readonly kind: LabelerKind;
  /** The text after the kind (`STORE` of `feedback:STORE`, `openai:MODEL` of `judge:…`); empty for `world`. */
  readonly target: string;
}

interface LabelerEntry {
  /** The spec's form, for errors and help. */
  readonly form: string;
  readonly description: string;
}

/** Every labeler kind and what it does. */
export const LABELERS = {
  world: { form: 'world', description: 'the world\'s simulated annotators (noisy, with the oracle\'s gold kept beside each label)' },
  feedback: { form: 'feedback:STORE', description: 'people through the feedback web app (hhrl feedback serve --round R): the round waits until its quota of picks is in STORE' },
  judge: { form: 'judge:openai:MODEL', description: 'an LLM judge at an OpenAI-compatible endpoint (--judge-base-url), each pair asked in both orders' },
} as const satisfies Record<LabelerKind, LabelerEntry>;

/**
 * Parse `--labeler`.
 * @throws ConfigError for an unknown form.
 * @example parseLabeler('world') // { kind: 'world', target: '' }
 */
export function parseLabeler(text: string): LabelerSpec {
  const [head, ...rest] = text.split(':');
  const target = rest.join(':');
  const forms = Object.values(LABELERS).map((entry) => entry.form).join(', ');
  const kind = LABELER_KINDS.find((candidate) => candidate === head);
  if (kind === undefined || (kind === 'world') !== (target === '') || (kind === 'judge' && !/^openai:.+/.test(target))) {
    throw new ConfigError(`--labeler ${text}: expected one of ${forms}`);
  }
  return { kind, target };
}

/** Where a judge labeler's endpoint is (`--judge-base-url`, `--judge-api-key-env`). */
export interface JudgeEndpoint {
  readonly baseUrl?: string;
  readonly apiKeyEnv?: string;
}

/**
 * The judge's base URL (call it before anything is written, so a missing flag stops the run at once).
 * @throws ConfigError for a judge without `--judge-base-url`.
 */
export function judgeBaseUrl(spec: LabelerSpec, endpoint: JudgeEndpoint = {}): string {
  if (endpoint.baseUrl === undefined) throw new ConfigError(`--labeler ${spec.kind}:${spec.target}: the judge needs --judge-base-url (an OpenAI-compatible base URL, …/v1)`);
  return endpoint.baseUrl;
}

/**
 * The labeler of model pairs a parsed spec names: the world's annotators of `population`, or the judge at
 * `endpoint` (a `feedback` round has no pairs to label: people write and pick in the app, see `feedback-round.ts`).
 * @throws ConfigError for a judge without a base URL, or for `feedback`.
 * @example createPairLabeler(parseLabeler('judge:openai:gpt-4o-mini'), world.population(), { baseUrl: 'http://127.0.0.1:8000/v1' }).id // 'judge:gpt-4o-mini'
 */
export function createPairLabeler(spec: LabelerSpec, population: AnnotatorPopulation, endpoint: JudgeEndpoint = {}): PairLabeler {
  if (spec.kind === 'world') return worldLabeler(population);
  if (spec.kind === 'judge') {
    const baseUrl = judgeBaseUrl(spec, endpoint);
    const model = spec.target.slice('openai:'.length);
    // greedy, a few tokens: the answer is "(A)" or "(B)"
    const target = createOpenAiTarget({ baseUrl, model, maxTokens: 8, temperature: 0, ...(endpoint.apiKeyEnv === undefined ? {} : { apiKeyEnv: endpoint.apiKeyEnv }) });
    return judgeLabeler(target, model);
  }
  throw new ConfigError(`--labeler ${spec.kind}:${spec.target}: people label in the feedback app, not pair by pair`);
}
