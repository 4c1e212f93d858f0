/**
 * Terminal progress bars (cli-progress) for long commands; quiet when stderr is not a terminal
 * except for a line every few seconds, so logs of CI runs stay readable.
 */
import cliProgress from 'cli-progress';

/** A progress reporter with `update(step, fields)` and `stop()`. */
export interface ProgressBar {
  update(step: number, fields?: Record<string, string | number>): void;
  stop(): void;
}

/** A bar for `total` steps showing `fields` (e.g. loss) after the count. */
export function progressBar(label: string, total: number, fields: readonly string[] = []): ProgressBar {
  if (!process.stderr.isTTY) {
    let lastPrint = 0;
    return {
      update(step, values = {}) {
        const now = Date.now();
        if (now - lastPrint < 5000 && step < total) return;
        lastPrint = now;
        const extra = fields.map((name) => `${name} ${values[name] ?? ''}`).join(' ');
        process.stderr.write(`${label} ${step}/${total} ${extra}\n`);
      },
      stop() {},
    };
  }
  const format = `${label} [{bar}] {value}/{total} ${fields.map((name) => `${name} {${name}}`).join(' ')} eta {eta_formatted}`;
  const bar = new cliProgress.SingleBar({ format, stream: process.stderr, hideCursor: true }, cliProgress.Presets.shades_classic);
  bar.start(total, 0, Object.fromEntries(fields.map((name) => [name, ''])));
  return {
    update(step, values = {}) {
      bar.update(step, values);
    },
    stop() {
      bar.stop();
    },
  };
}

/** Print a run folder's note (e.g. what it cleaned up after a kill) on stderr, where progress goes. */
export function logNote(message: string): void {
  process.stderr.write(`hhrl: ${message}\n`);
}

/**
 * One bar per stage of a multi-stage run: a new bar starts whenever the stage changes (the experiments' progress
 * callbacks name the stage, its step and total, and a few fields to show). Call `stop` when the run ends.
 */
export function stagedProgress(): { onProgress: (stage: string, step: number, total: number, fields: Readonly<Record<string, string>>) => void; stop: () => void } {
  let bar: ProgressBar | undefined;
  let current = '';
  return {
    onProgress: (stage, step, total, fields) => {
      if (stage !== current) {
        bar?.stop();
        bar = progressBar(stage.padEnd(22), total, Object.keys(fields));
        current = stage;
      }
      bar!.update(step, fields);
    },
    stop: () => bar?.stop(),
  };
}
