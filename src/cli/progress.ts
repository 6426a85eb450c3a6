/**
 * Progress of an unfolding on stderr: a single updating line on a TTY (iteration, step,
 * member, epoch, losses), plain lines otherwise (one per finished step and iteration), and
 * nothing with `--quiet`.
 */
import type { UnfoldProgress } from '../types.js';

/** Where progress goes: stderr in the CLI; anything with `write` in tests. */
export interface ProgressSink {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** A progress printer: `onProgress` for `unfold()`, `message` for other lines, `end` to finish. */
export interface ProgressPrinter {
  onProgress: (progress: UnfoldProgress) => void;
  message: (line: string) => void;
  end: () => void;
}

const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(4) : String(x));

/** Builds the printer for `nIterations` iterations. */
export function progressPrinter(sink: ProgressSink, nIterations: number, quiet: boolean): ProgressPrinter {
  if (quiet) return { onProgress: () => {}, message: () => {}, end: () => {} };
  const tty = sink.isTTY === true;
  let open = false; // a TTY status line is showing
  let pending: string | undefined; // non-TTY: the running step's last state
  const status = (text: string) => {
    sink.write(`\r\u001b[2K${text}`);
    open = true;
  };
  const line = (text: string) => {
    if (open) sink.write('\r\u001b[2K');
    open = false;
    sink.write(`${text}\n`);
  };
  const flush = () => {
    if (pending !== undefined) line(pending);
    pending = undefined;
  };
  return {
    onProgress(p) {
      const head = `iteration ${p.iteration}/${nIterations}`;
      if (p.type === 'step') {
        const text = `${head} ${p.step} member ${p.member + 1} [${p.replica}]`;
        if (tty) status(text);
        else {
          flush();
          pending = text;
        }
      } else if (p.type === 'epoch') {
        const text = `${head} ${p.step} member ${p.member + 1} epoch ${p.epoch} loss ${fmt(p.trainLoss)} val ${fmt(p.validationLoss)}`;
        if (tty) status(text);
        else pending = text;
      } else {
        flush();
        const steps = p.diagnostics.steps.map((s) => `${s.step} ess ${s.ess.toFixed(0)} Δ ${s.change.toExponential(2)}`).join(', ');
        line(`${head} done: ${steps}`);
      }
    },
    message(text) {
      flush();
      line(text);
    },
    end() {
      flush();
      if (open) sink.write('\r\u001b[2K');
      open = false;
    },
  };
}
