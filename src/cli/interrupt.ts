/**
 * Ctrl-C for long-running commands: the first SIGINT (or SIGTERM) asks the run to stop at its next step
 * boundary — the trainer throws `TrainingAborted`, the newest checkpoint stays intact and `--resume`
 * continues from it; a second signal exits at once (130, like a kill: the checkpoint is still intact,
 * because checkpoints are written atomically).
 */

/** Exit code of a run stopped by a signal (128 + SIGINT). */
export const INTERRUPTED_EXIT_CODE = 130;

/** What the first signal prints, and which signals stop the run. */
export interface InterruptOptions {
  readonly message?: string;
  readonly signals?: readonly NodeJS.Signals[];
}

/**
 * Run `work` with an AbortSignal the first Ctrl-C aborts.
 * @example
 * await interruptible((signal) => trainLanguageModel(config, out, { signal }));
 */
export async function interruptible<T>(work: (signal: AbortSignal) => Promise<T>, options: InterruptOptions = {}): Promise<T> {
  const { message = 'stopping after the current step (Ctrl-C again to stop now)', signals = ['SIGINT', 'SIGTERM'] } = options;
  const controller = new AbortController();
  const stop = (): void => {
    if (controller.signal.aborted) process.exit(INTERRUPTED_EXIT_CODE);
    process.stderr.write(`\nhhrl: ${message}\n`);
    controller.abort();
  };
  for (const name of signals) process.on(name, stop);
  try {
    return await work(controller.signal);
  } finally {
    for (const name of signals) process.off(name, stop);
  }
}
