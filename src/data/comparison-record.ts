/**
 * The stored form of a comparison and how it is built from two transcripts.
 *
 * The store keeps the ORIGINAL transcript strings, cut at the shared prefix: `prefix + chosen` is the chosen
 * transcript and `prefix + rejected` the rejected one, byte for byte. Turns are derived by parsing.
 */
import { hash } from 'node:crypto';
import { COMPARISON_TASKS, type Comparison, type ComparisonTask } from '../spec/comparison.ts';
import type { Conversation, Turn } from '../spec/conversation.ts';
import { TranscriptError } from '../spec/errors.ts';
import { hhLine } from './formats/hh-line.ts';
import { parseTranscript, parseTurns, serializeTranscript, TURN_MARKERS } from './hh-transcript.ts';

/** A comparison as a caller hands it to the store: whole transcripts (HH strings or turns) plus metadata. */
export interface ComparisonInput {
  /** Whole preferred transcript, shared turns included: an HH string or a list of turns. */
  readonly chosen: string | Conversation;
  /** Whole dispreferred transcript. */
  readonly rejected: string | Conversation;
  readonly task: ComparisonTask;
  /** Where it came from: a file name, `world:<seed>`, `online:<round>`, … */
  readonly source: string;
  readonly annotatorId?: string | null;
  /** Preference strength in [0, 1]. */
  readonly strength?: number | null;
  /** Online round (0 = static data). Default 0. */
  readonly round?: number;
  readonly policyIds?: { readonly chosen: string | null; readonly rejected: string | null };
  /** ISO-8601; defaults to the time the store is given. */
  readonly createdAt?: string;
}

/** One row of the store. Transcript columns are exact substrings of the originals. */
export interface ComparisonRecord {
  readonly id: string;
  readonly task: ComparisonTask;
  readonly source: string;
  /** Shared prefix of both transcripts (whole turns), as written. */
  readonly prefix: string;
  /** Rest of the chosen transcript after `prefix`. */
  readonly chosen: string;
  /** Rest of the rejected transcript after `prefix`. */
  readonly rejected: string;
  readonly annotatorId: string | null;
  readonly strength: number | null;
  readonly round: number;
  readonly chosenPolicyId: string | null;
  readonly rejectedPolicyId: string | null;
  readonly createdAt: string;
  /** The original HH JSONL line, kept only when it differs from the canonical one `hh` export would write. */
  readonly rawLine: string | null;
}

/**
 * A record straight from the import's byte-level fast path (`formats/hh-line-bytes.ts`): the three transcript
 * parts are still JSON-escaped UTF-8 bodies of string literals, which the store unescapes as it writes them.
 * Stored, it is the same row as the {@link ComparisonRecord} the general path builds (`rawLine` null).
 */
export interface EscapedComparisonRecord extends Omit<ComparisonRecord, 'prefix' | 'chosen' | 'rejected' | 'rawLine'> {
  readonly escaped: { readonly prefix: Uint8Array; readonly chosen: Uint8Array; readonly rejected: Uint8Array };
}

/**
 * Content id of a comparison: the first 32 hex digits of sha256 over a header (task, annotator, round,
 * occurrence) and the canonical HH line of the two transcripts (`hhLine`, UTF-8) — so the same comparison
 * read from an HH, TRL or OpenAI file gets the same id. `occurrence` counts earlier identical rows in the same
 * batch (file): a file that repeats a row keeps both copies, while importing the same file twice adds nothing.
 */
export function comparisonId(
  header: { task: string; annotatorId: string | null; round: number },
  canonicalLine: string | Uint8Array,
  occurrence = 0,
): string {
  // One-shot `crypto.hash` over header + line in a reused buffer: ~2× faster than createHash().update()… per
  // row, whose per-call object costs outweigh hashing ~1.4 KB with SHA extensions. Rows of one file mostly
  // share their header, so the last one's bytes are kept.
  const { task, annotatorId, round } = header;
  if (task !== lastHeader.task || annotatorId !== lastHeader.annotatorId || round !== lastHeader.round || occurrence !== lastHeader.occurrence) {
    const bytes = Buffer.from(JSON.stringify([1, task, annotatorId, round, occurrence]) + '\n');
    lastHeader = { task, annotatorId, round, occurrence, bytes };
  }
  const headerLength = lastHeader.bytes.length;
  const lineBytes = typeof canonicalLine === 'string' ? Buffer.byteLength(canonicalLine) : canonicalLine.length;
  if (hashScratch.length < headerLength + lineBytes) hashScratch = Buffer.allocUnsafe(Math.max(headerLength + lineBytes, 2 * hashScratch.length));
  hashScratch.set(lastHeader.bytes, 0);
  if (typeof canonicalLine === 'string') hashScratch.write(canonicalLine, headerLength);
  else hashScratch.set(canonicalLine, headerLength);
  return hash('sha256', hashScratch.subarray(0, headerLength + lineBytes), 'hex').slice(0, 32);
}

/** The header {@link comparisonId} hashed last, and its bytes. */
let lastHeader = { task: '', annotatorId: null as string | null, round: -1, occurrence: -1, bytes: Buffer.alloc(0) };

/** Reused input buffer of {@link comparisonId} (grows to the longest row seen). */
let hashScratch = Buffer.allocUnsafe(64 * 1024);

/**
 * Number of turns two parsed transcripts share, leaving each at least one turn of its own (so identical
 * transcripts still compare their last turns). {@link splitTranscripts} computes the same cut on strings.
 */
export function sharedTurnCount(chosen: readonly Turn[], rejected: readonly Turn[]): number {
  const limit = Math.min(chosen.length, rejected.length) - 1;
  let count = 0;
  while (count < limit && chosen[count].role === rejected[count].role && chosen[count].text === rejected[count].text) count++;
  return count;
}

/** Two whole transcripts cut at their shared prefix: `prefix + chosen` and `prefix + rejected` are the originals. */
export interface TranscriptSplit {
  readonly prefix: string;
  readonly chosen: string;
  readonly rejected: string;
}

/**
 * Check that both strings are HH transcripts and cut them after the turns they share — the same cut as
 * {@link sharedTurnCount} on the parsed turns, found without parsing: the shared turns end at the last
 * position, within the common prefix of the two strings, where BOTH strings have a turn marker.
 * @throws TranscriptError naming the field that is not an HH transcript.
 */
export function splitTranscripts(chosenText: string, rejectedText: string): TranscriptSplit {
  checkStart('chosen', chosenText);
  checkStart('rejected', rejectedText);
  const limit = Math.min(chosenText.length, rejectedText.length);
  let common = TURN_MARKERS.human.length;
  while (common < limit && chosenText.charCodeAt(common) === rejectedText.charCodeAt(common)) common++;
  // Markers wholly inside the common prefix are in both strings; one that runs past it must be checked.
  let cut = lastMarkerAt(chosenText, common);
  while (!isMarkerAt(rejectedText, cut)) cut = lastMarkerAt(chosenText, cut - 1); // ends at 0, a Human marker in both
  return { prefix: chosenText.slice(0, cut), chosen: chosenText.slice(cut), rejected: rejectedText.slice(cut) };
}

/** Start of the last turn marker in `text` that starts at or before `position`. */
function lastMarkerAt(text: string, position: number): number {
  return Math.max(text.lastIndexOf(TURN_MARKERS.human, position), text.lastIndexOf(TURN_MARKERS.assistant, position));
}

function isMarkerAt(text: string, position: number): boolean {
  return text.startsWith(TURN_MARKERS.human, position) || text.startsWith(TURN_MARKERS.assistant, position);
}

function checkStart(field: string, text: string): void {
  if (text.startsWith(TURN_MARKERS.human)) return;
  try {
    parseTranscript(text); // throws the precise message
  } catch (error) {
    if (error instanceof TranscriptError) throw new TranscriptError(`field "${field}": ${error.expected}`, error.offset);
    throw error;
  }
}

function asTranscript(value: string | Conversation): string {
  return typeof value === 'string' ? value : serializeTranscript(value);
}

/**
 * Validate a {@link ComparisonInput} and build its stored record.
 * @throws TranscriptError for a transcript that is not HH; RangeError for bad metadata.
 */
export function buildRecord(
  input: ComparisonInput,
  options: {
    now: string;
    occurrence?: number;
    /** The original line, when it should be kept for `hh` export. */
    rawLine?: string | null;
    /** The canonical HH line's UTF-8 bytes when the caller already has them (saves encoding it again). */
    canonicalLine?: Uint8Array | null;
  },
): ComparisonRecord {
  if (!(COMPARISON_TASKS as readonly string[]).includes(input.task)) {
    throw new RangeError(`task must be one of ${COMPARISON_TASKS.join('|')}, got ${JSON.stringify(input.task)}`);
  }
  const strength = input.strength ?? null;
  if (strength !== null && !(strength >= 0 && strength <= 1)) throw new RangeError(`strength must be in [0, 1], got ${strength}`);
  const round = input.round ?? 0;
  if (!Number.isInteger(round) || round < 0) throw new RangeError(`round must be a whole number ≥ 0, got ${round}`);
  const chosenText = asTranscript(input.chosen);
  const rejectedText = asTranscript(input.rejected);
  const annotatorId = input.annotatorId ?? null;
  const split = splitTranscripts(chosenText, rejectedText);
  const canonical = options.canonicalLine ?? hhLine(chosenText, rejectedText);
  return {
    id: comparisonId({ task: input.task, annotatorId, round }, canonical, options.occurrence),
    task: input.task,
    source: input.source,
    ...split,
    annotatorId,
    strength,
    round,
    chosenPolicyId: input.policyIds?.chosen ?? null,
    rejectedPolicyId: input.policyIds?.rejected ?? null,
    createdAt: input.createdAt ?? options.now,
    rawLine: options.rawLine ?? null,
  };
}

/** The whole chosen and rejected transcripts of a record, exactly as they were given. */
export function transcriptsOf(record: Pick<ComparisonRecord, 'prefix' | 'chosen' | 'rejected'>): { chosen: string; rejected: string } {
  return { chosen: record.prefix + record.chosen, rejected: record.prefix + record.rejected };
}

/** The spec-level {@link Comparison} of a record (turns parsed from the stored strings). */
export function toComparison(record: ComparisonRecord): Comparison {
  return {
    id: record.id,
    prefix: record.prefix === '' ? [] : parseTurns(record.prefix),
    chosen: parseTurns(record.chosen),
    rejected: parseTurns(record.rejected),
    task: record.task,
    source: record.source,
    annotatorId: record.annotatorId,
    strength: record.strength,
    round: record.round,
    policyIds: { chosen: record.chosenPolicyId, rejected: record.rejectedPolicyId },
    createdAt: record.createdAt,
  };
}
