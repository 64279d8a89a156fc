import { LoggerService } from '@backstage/backend-plugin-api';

/**
 * Coalescing queue for incremental refreshes: an entity queued several
 * times while waiting is refreshed once; one entity at a time.
 */
export class RefreshQueue {
  private readonly pending = new Set<string>();
  private running?: Promise<void>;

  constructor(
    private readonly refresh: (entityRef: string) => Promise<unknown>,
    private readonly logger: LoggerService,
  ) {}

  add(entityRef: string) {
    this.pending.add(entityRef);
    if (!this.running) {
      this.running = this.drain().finally(() => {
        this.running = undefined;
      });
    }
  }

  /** Resolves when nothing is queued or running. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain() {
    while (this.pending.size) {
      const [ref] = this.pending;
      this.pending.delete(ref);
      try {
        await this.refresh(ref);
      } catch (e) {
        this.logger.warn(`scorecards: refresh of ${ref} failed: ${e}`);
      }
    }
  }
}
