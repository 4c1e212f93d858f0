import { CommanderError } from 'commander';
import { HhrlError } from '../spec/errors.ts';

/**
 * Print an error the way a user needs it (typed errors: their message; others: the stack) and
 * return the process exit code to use.
 */
export function reportCliError(error: unknown): number {
  if (error instanceof CommanderError) {
    // commander already printed help or the message; 0 for --help/--version.
    return error.exitCode;
  }
  if (error instanceof HhrlError) {
    process.stderr.write(`hhrl: ${error.name}: ${error.message}\n`);
    return 2;
  }
  process.stderr.write(`hhrl: unexpected error\n${error instanceof Error ? error.stack : String(error)}\n`);
  return 1;
}
