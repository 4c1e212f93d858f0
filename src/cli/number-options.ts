/**
 * Parsers of numeric command-line values for commander's `.option(flag, text, parser)`: a value out of range is an
 * `InvalidArgumentError` commander reports with the flag (exit 2), never a NaN passed on.
 */
import { InvalidArgumentError } from 'commander';

/** A TCP port, 0–65535 (0: any free port). */
export function port(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0 || number > 65535) throw new InvalidArgumentError('expected a port 0–65535');
  return number;
}

/** A whole number ≥ 1. */
export function positiveInteger(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new InvalidArgumentError('expected a whole number ≥ 1');
  return number;
}

/** A whole number ≥ 0. */
export function wholeNumber(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0) throw new InvalidArgumentError('expected a whole number ≥ 0');
  return number;
}

/** A finite number > 0. */
export function positiveNumber(value: string): number {
  const number = Number(value);
  if (!(number > 0) || !Number.isFinite(number)) throw new InvalidArgumentError('expected a number > 0');
  return number;
}
