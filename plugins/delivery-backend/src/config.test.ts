import { JsonObject } from '@backstage/types';
import { ConfigReader } from '@backstage/config';
import { readCanaryConfig } from './config';

const read = (canary: JsonObject) =>
  readCanaryConfig(new ConfigReader({ delivery: { canary } }));

describe('readCanaryConfig: error limit and retention', () => {
  it('defaults: Argo consecutiveErrorLimit 4, pause, no retention', () => {
    const c = read({});
    expect(c.defaults.consecutiveErrorLimit).toBe(4);
    expect(c.defaults.onErrorLimit).toBe('pause');
    expect(c.retentionDays).toBeUndefined();
  });

  it('reads the keys', () => {
    const c = read({
      consecutiveErrorLimit: 0,
      onErrorLimit: 'abort',
      retentionDays: 90,
    });
    expect(c.defaults).toMatchObject({
      consecutiveErrorLimit: 0,
      onErrorLimit: 'abort',
    });
    expect(c.retentionDays).toBe(90);
  });

  it('names the key that is wrong', () => {
    expect(() => read({ consecutiveErrorLimit: -1 })).toThrow(
      'delivery.canary.consecutiveErrorLimit',
    );
    expect(() => read({ onErrorLimit: 'rollback' })).toThrow(
      'delivery.canary.onErrorLimit',
    );
    expect(() => read({ retentionDays: 0 })).toThrow(
      'delivery.canary.retentionDays',
    );
    expect(() => read({ retentionDays: 1.5 })).toThrow(
      'delivery.canary.retentionDays',
    );
  });
});
