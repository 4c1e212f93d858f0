/**
 * Who labels an online round's pairs (`--labeler`), as a typed registry: the world's simulated annotators (built),
 * a feedback store filled by people through the web app, and an LLM judge at an OpenAI-compatible endpoint (issue
 * #19 names both; neither is built yet, so choosing one is a ConfigError saying so rather than a silent fallback).
 */
import { ConfigError } from '../../spec/errors.ts';

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
  /** Whether `hhrl online run` can label with it today. */
  readonly built: boolean;
}

/** Every labeler kind, whether it is built, and what it would do. */
export const LABELERS = {
  world: { form: 'world', description: 'the world\'s simulated annotators (noisy, with the oracle\'s gold kept beside each label)', built: true },
  feedback: { form: 'feedback:STORE', description: 'people through the feedback web app: the round waits until its quota of picks is in STORE', built: false },
  judge: { form: 'judge:openai:MODEL', description: 'an LLM judge at an OpenAI-compatible endpoint', built: false },
} as const satisfies Record<LabelerKind, LabelerEntry>;

/**
 * Parse `--labeler` and refuse the kinds that are not built.
 * @throws ConfigError for an unknown form, or a known labeler that `hhrl online run` cannot use yet.
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
  const entry: LabelerEntry = LABELERS[kind];
  if (!entry.built) throw new ConfigError(`--labeler ${text}: ${entry.description} is not built yet; hhrl online run labels with --labeler world only`);
  return { kind, target };
}
