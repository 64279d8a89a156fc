import {
  checkpointTimestamp,
  formatCheckpoint,
  parseCheckpoint,
} from './checkpoint';
import { nextFreeName } from './naming';

describe('checkpoint lines', () => {
  it('formats and parses the seed line format', () => {
    const line = formatCheckpoint({
      timestamp: checkpointTimestamp(new Date('2025-09-24T14:04:40.123Z')),
      runId: 'run-1',
      featureId: '0123456789ab',
      stage: 'validate',
      status: 'passed',
      artifact: 'spec-validation-report.json',
    });
    expect(line).toBe(
      '2025-09-24T14:04:40Z | run-1 | 0123456789ab | validate | passed | spec-validation-report.json',
    );
    expect(parseCheckpoint(line)?.stage).toBe('validate');
  });

  it('keeps one record per line', () => {
    const line = formatCheckpoint({
      timestamp: '2025-09-24T14:04:40Z',
      runId: 'a|b',
      featureId: 'f',
      stage: 's',
      status: 'x\ny',
      artifact: '',
    });
    expect(line).toBe('2025-09-24T14:04:40Z | a_b | f | s | x_y | -');
    expect(parseCheckpoint('not a checkpoint')).toBeUndefined();
  });
});

describe('nextFreeName', () => {
  it('returns the base name when free, then -v2, -v3', async () => {
    expect(await nextFreeName('svc', () => false)).toBe('svc');
    const taken = new Set(['svc', 'svc-v2']);
    expect(await nextFreeName('svc', n => taken.has(n))).toBe('svc-v3');
    await expect(nextFreeName('svc', () => true, 3)).rejects.toThrow(
      /No free name/,
    );
  });
});
