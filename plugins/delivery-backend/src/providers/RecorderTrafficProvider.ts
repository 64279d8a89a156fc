import { TrafficProvider, TrafficTarget } from './types';

/**
 * Built-in traffic provider for the demo and tests: records the weights it is
 * asked to set (per entity) instead of moving real traffic.
 */
export class RecorderTrafficProvider implements TrafficProvider {
  readonly type = 'recorder' as const;
  readonly calls: Array<{ entityRef: string; weight: number; at: string }> = [];
  private readonly current = new Map<string, number>();

  async setWeight(target: TrafficTarget, canaryWeight: number): Promise<void> {
    this.current.set(target.entityRef, canaryWeight);
    this.calls.push({
      entityRef: target.entityRef,
      weight: canaryWeight,
      at: new Date().toISOString(),
    });
  }

  weightOf(entityRef: string): number | undefined {
    return this.current.get(entityRef);
  }
}
