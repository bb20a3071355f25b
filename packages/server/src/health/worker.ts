import type { Logger } from 'pino';

/**
 * A background job on a timer. The timer only triggers it; the job reads time from the hub's
 * clock, and tests call `runNow()` instead of waiting. Runs never overlap; a failing run is
 * logged and the next one still happens.
 */
export class Worker {
  private timer: NodeJS.Timeout | null = null;
  private current: Promise<void> | null = null;
  lastRunAt: number | null = null;
  lastError: string | null = null;
  runs = 0;

  constructor(
    readonly name: string,
    private readonly intervalMs: number,
    private readonly job: () => Promise<void>,
    private readonly logger: Logger,
    private readonly now: () => number,
  ) {}

  get running(): boolean {
    return this.timer !== null;
  }

  start(options: { runImmediately?: boolean } = {}): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.runNow(), this.intervalMs);
    this.timer.unref();
    if (options.runImmediately) void this.runNow();
  }

  /** Runs the job now (or waits for the run in progress). */
  async runNow(): Promise<void> {
    if (this.current) return this.current;
    this.current = (async () => {
      try {
        await this.job();
        this.lastError = null;
      } catch (error) {
        this.lastError = error instanceof Error ? error.message : String(error);
        this.logger.warn({ err: error, worker: this.name }, `health worker ${this.name} failed`);
      } finally {
        this.lastRunAt = this.now();
        this.runs += 1;
      }
    })().finally(() => {
      this.current = null;
    });
    return this.current;
  }

  /** Stops the timer and waits for a run in progress. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.current) await this.current;
  }
}
