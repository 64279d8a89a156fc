import { demoLog, ENTITY_REF } from '../__testUtils__/fakeEvidenceLog';
import { withCanonicalEnvelope } from './records';

describe('withCanonicalEnvelope', () => {
  it('takes the envelope from the canonical bytes, not from the server', () => {
    const record = demoLog().chain(ENTITY_REF)[1];
    const served = {
      ...record,
      envelope: { ...record.envelope, summary: { tests: 1, failures: 0 } },
    };
    const shown = withCanonicalEnvelope(served);
    expect(shown.envelope).toEqual(JSON.parse(record.canonical));
    expect(shown.unreadable).toBeUndefined();
  });

  it.each([
    ['not JSON', '{"seq":2,'],
    ['a JSON array', '[1,2]'],
    ['JSON null', 'null'],
  ])(
    'flags a record whose canonical bytes are %s and shows none of the server fields',
    (_, canonical) => {
      const record = { ...demoLog().chain(ENTITY_REF)[1], canonical };
      const shown = withCanonicalEnvelope(record);
      expect(shown.unreadable).toMatch(/unreadable canonical bytes/);
      expect(shown.hash).toBe(record.hash);
      expect(shown.canonical).toBe(canonical);
      const { envelope } = shown;
      expect(envelope.seq).toBeNaN();
      expect(envelope).toMatchObject({
        entityRef: '',
        category: '',
        summary: {},
        artifacts: [],
        producer: '',
        recordedAt: '',
        previousHash: null,
      });
      expect(envelope).not.toHaveProperty('subject');
    },
  );
});
