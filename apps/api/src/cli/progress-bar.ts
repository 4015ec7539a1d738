// A one-line progress bar on stderr: the import's steps in order, the current one with its count.
const WIDTH = 24;

export class ProgressBar {
  private last = '';

  constructor(
    private readonly steps: readonly string[],
    private readonly out: NodeJS.WriteStream = process.stderr,
  ) {}

  update(step: string, done: number, total: number): void {
    const index = Math.max(0, this.steps.indexOf(step));
    const within = total === 0 ? 1 : Math.min(1, done / total);
    const overall = (index + within) / this.steps.length;
    const filled = Math.round(overall * WIDTH);
    const line = `[${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${String(Math.round(overall * 100)).padStart(3)}% ${index + 1}/${this.steps.length} ${step} ${done}/${total}`;
    if (line === this.last) return;
    this.last = line;
    if (this.out.isTTY) this.out.write(`\r${line}\u001b[K`);
    else this.out.write(`${line}\n`);
  }

  finish(): void {
    if (this.out.isTTY && this.last !== '') this.out.write('\n');
  }
}
