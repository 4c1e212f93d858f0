/**
 * What `hhrl report` can render, as a seam: each kind of input (a demo folder, an experiment's JSON, …) says how
 * to recognise itself from the JSON it is read from, and renders itself as one section of the page. The kinds are
 * rows of the registry in `index.ts`, keyed by {@link ReportInputKind}.
 */
import type { z } from 'zod';
import { checkJsonValue } from '../../util/json-input.ts';
import type { ReportSection } from '../report-page.ts';

/** The kinds of input a report renders (a row each in `REPORT_INPUTS`). */
export const REPORT_INPUT_KINDS = ['demo', 'frontier', 'frontier-seeds', 'online', 'online-seeds', 'online-run', 'alignment-tax', 'contamination', 'contamination-seeds', 'redteam-data'] as const;
/** One kind of report input. */
export type ReportInputKind = (typeof REPORT_INPUT_KINDS)[number];

/** An input as read: the path given, the JSON file read for it, the folder holding that file, and its value. */
export interface ReportSource {
  /** The path as the user gave it (a folder or a JSON file). */
  readonly path: string;
  /** The JSON file read (the path itself, or the kind's file inside the folder). */
  readonly file: string;
  /** The folder holding `file` (where a kind finds its other files). */
  readonly folder: string;
  readonly json: unknown;
}

/** One kind of input: how to recognise it and how to render it. */
export interface ReportInput {
  /** What it is, in words (for the error that lists what `hhrl report` accepts). */
  readonly description: string;
  /** The file a folder of this kind holds its JSON in (`summary.json`), or null when only the JSON file is given. */
  readonly folderFile: string | null;
  /** Whether `json` is this kind (a cheap look at its distinctive keys; `render` validates the rest). */
  readonly detect: (json: unknown) => boolean;
  /**
   * The section of the page.
   * @throws DataFormatError naming the file and what was expected when the input is malformed.
   */
  readonly render: (source: ReportSource) => Promise<ReportSection>;
}

/** `value` is a JSON object holding every key of `keys`. */
export function hasKeys(value: unknown, keys: readonly string[]): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && keys.every((key) => key in value);
}

/** What {@link taggedJsonInput} needs: the `"kind"` tag, the schema the body must meet, and the section it renders. */
export interface TaggedJsonInputSpec<T> {
  readonly kind: string;
  readonly description: string;
  readonly folderFile: string | null;
  readonly schema: z.ZodType<T>;
  /** What the file should hold, in words, for the error that names a bad field. */
  readonly expected: string;
  readonly title: string;
  readonly render: (view: T) => Promise<string>;
}

/**
 * A kind of input whose JSON carries `"kind": <tag>` (the experiments' result files): detected by the tag, validated
 * by `schema` (a DataFormatError naming the file and field otherwise), rendered by `render`.
 */
export function taggedJsonInput<T>(spec: TaggedJsonInputSpec<T>): ReportInput {
  return {
    description: spec.description,
    folderFile: spec.folderFile,
    detect: (json) => hasKeys(json, ['kind']) && json.kind === spec.kind,
    render: async (source) => {
      const view = checkJsonValue(source.file, undefined, source.json, spec.schema, spec.expected);
      return { title: spec.title, source: source.path, html: await spec.render(view) };
    },
  };
}
