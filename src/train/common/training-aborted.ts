/**
 * How every trainer stops on a signal: between steps, leaving its newest checkpoint intact, by throwing
 * {@link TrainingAborted} (the CLI turns it into exit code 130 and "resume with --resume").
 */
import { HhrlError } from '../../spec/errors.ts';

/** Thrown when a run is stopped through its AbortSignal (its last checkpoint stays intact). */
export class TrainingAborted extends HhrlError {
  constructor(readonly step: number) {
    super(`training stopped at step ${step}; resume with --resume`);
  }
}

/** Throw {@link TrainingAborted} at `step` when `signal` asks the run to stop (checked between steps). */
export function stopIfAborted(signal: AbortSignal | undefined, step: number): void {
  if (signal?.aborted) throw new TrainingAborted(step);
}
