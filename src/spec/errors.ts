/**
 * Typed errors shared by every layer. Each says what went wrong and, where it can, what to do.
 */

/** Base class: every error hhrl raises on purpose. The CLI prints its message without a stack. */
export class HhrlError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A config value is missing, of the wrong type or out of range. */
export class ConfigError extends HhrlError {}

/** Input data (a file, a row) does not have the expected form. Names the file and line. */
export class DataFormatError extends HhrlError {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly expected: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}${line === undefined ? '' : `:${line}`}: ${expected}`, options);
  }
}

/** A checkpoint is missing, truncated or does not match its config. */
export class CheckpointError extends HhrlError {}

/** A graph could not be built (shape mismatch, unknown op, bad argument). */
export class GraphError extends HhrlError {}

/** A call to a model or endpoint failed (timeout, HTTP error, malformed reply). */
export class TargetError extends HhrlError {}

/**
 * A string is not an HH transcript (`"\n\nHuman: …\n\nAssistant: …"`) or a turn cannot be written as one.
 * `offset` is the character position the problem was found at. Readers wrap it in a {@link DataFormatError}
 * that names the file and line.
 */
export class TranscriptError extends HhrlError {
  constructor(
    readonly expected: string,
    readonly offset: number,
  ) {
    super(`${expected} (at character ${offset})`);
  }
}

/** A comparison store (SQLite file) cannot be opened, is of an unknown schema version, or a write failed. */
export class StoreError extends HhrlError {}
