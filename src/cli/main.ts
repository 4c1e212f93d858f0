/**
 * The `hhrl` command line. Each command group lives in its own file and registers itself on the
 * root program; this file only wires them together and turns typed errors into exit codes.
 */
import { Command } from 'commander';
import { COMMAND_GROUPS } from './commands.ts';
import { reportCliError } from './cli-errors.ts';

/** Build the root program with every registered command group. */
export function buildProgram(): Command {
  const program = new Command('hhrl')
    .description('Train a helpful and harmless assistant with RLHF (Bai et al. 2022) and red-team it.')
    .version('0.1.0')
    .showHelpAfterError()
    .exitOverride();
  for (const register of COMMAND_GROUPS) register(program);
  return program;
}

const isMain = process.argv[1] !== undefined && /(?:main\.ts|hhrl(?:\.js)?)$/.test(process.argv[1]);
/** Exit status of a process killed by SIGPIPE (128 + 13), as a C tool in a pipeline reports it. */
export const BROKEN_PIPE_EXIT = 141;

if (isMain) {
  // A reader that stops early (`hhrl world stats | head`) closes the pipe: stop as Unix tools do, quietly,
  // instead of an unhandled EPIPE with a stack trace. Other stdout errors still surface.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(BROKEN_PIPE_EXIT);
  });
  buildProgram()
    .parseAsync(process.argv)
    .catch((error: unknown) => {
      process.exitCode = reportCliError(error);
    });
}
