import { CommanderError } from 'commander';
import { HhrlError } from '../spec/errors.ts';
import { TrainingAborted } from '../train/lm/lm-trainer.ts';
import { INTERRUPTED_EXIT_CODE } from './interrupt.ts';

/**
 * Print an error the way a user needs it (typed errors: their message; others: the stack) and
 * return the process exit code to use.
 */
export function reportCliError(error: unknown): number {
  if (error instanceof CommanderError) {
    // commander already printed help or the message; 0 for --help/--version.
    return error.exitCode;
  }
  if (error instanceof TrainingAborted) {
    process.stderr.write(`hhrl: ${error.message}\n`);
    return INTERRUPTED_EXIT_CODE;
  }
  if (error instanceof HhrlError) {
    process.stderr.write(`hhrl: ${error.name}: ${error.message}\n`);
    return 2;
  }
  process.stderr.write(`hhrl: unexpected error\n${error instanceof Error ? error.stack : String(error)}\n`);
  return 1;
}
