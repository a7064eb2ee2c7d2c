// Cancel/pause flags that the host sets (through the worker's IPC) and the training loop polls.
export class SweepControl {
  private _cancelled = false;
  private _paused = false;
  private wake: (() => void) | null = null;

  get cancelled(): boolean { return this._cancelled; }
  get paused(): boolean { return this._paused; }

  cancel(): void { this._cancelled = true; this.release(); }
  pause(): void { this._paused = true; }
  resume(): void { this._paused = false; this.release(); }

  /** Resolves at once unless paused; then when resumed or cancelled. */
  async untilRunnable(): Promise<void> {
    while (this._paused && !this._cancelled) {
      await new Promise<void>((resolve) => { this.wake = resolve; });
    }
  }

  private release(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }
}
