// Progress for a training epoch: a bar redrawn in place on a terminal, plain
// lines (every 10%) when the output is a file or a pipe.
import { thousands } from "../format.js";

export class Progress {
  private lastLine = -1;

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly label: string,
    private readonly total: number,
  ) {}

  /** After batch `done`: the epoch's samples so far, their mean loss and accuracy, and fit()'s samples/s since the epoch began. */
  update(done: number, samples: number, loss: number, accuracy: number, rate: number): void {
    const elapsed = samples / Math.max(rate, 1e-9);
    const eta = done > 0 ? (elapsed / done) * (this.total - done) : 0;
    const pct = Math.floor((100 * done) / this.total);
    const stats = `loss ${loss.toFixed(4)}  acc ${(100 * accuracy).toFixed(2)}%  ${thousands(rate)} samples/s  ETA ${eta.toFixed(0)}s`;
    if (this.out.isTTY) {
      const width = 24,
        fill = Math.round((width * done) / this.total);
      this.out.write(
        `\r${this.label} [${"=".repeat(fill)}${fill < width ? ">" : ""}${" ".repeat(Math.max(0, width - fill - 1))}] ${String(pct).padStart(3)}%  ${stats}\x1b[K`,
      );
    } else if (Math.floor(pct / 10) > this.lastLine || done === this.total) {
      this.lastLine = Math.floor(pct / 10);
      this.out.write(`${this.label} ${String(pct).padStart(3)}%  ${stats}\n`);
    }
  }

  finish(): void {
    if (this.out.isTTY) this.out.write("\n");
  }
}
