import { evidencePlugin } from './plugin';

describe('evidence', () => {
  it('should export plugin', () => {
    expect(evidencePlugin).toBeDefined();
  });
});
