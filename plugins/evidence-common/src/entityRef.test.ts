import {
  normalizeEntityRef,
  parseEntityRefStrict,
  stringifyEntityRef,
} from './entityRef';

describe('entity refs', () => {
  it('parses and normalizes', () => {
    expect(parseEntityRefStrict('Component:payments')).toEqual({
      kind: 'component',
      namespace: 'default',
      name: 'payments',
    });
    expect(parseEntityRefStrict('API:Team-A/My_Api.v2')).toEqual({
      kind: 'api',
      namespace: 'team-a',
      name: 'My_Api.v2',
    });
    expect(
      stringifyEntityRef({
        kind: 'Component',
        namespace: 'Default',
        name: 'x',
      }),
    ).toBe('component:default/x');
    expect(normalizeEntityRef('component:x')).toBe('component:default/x');
    expect(normalizeEntityRef('group:Team--a/x')).toBe('group:team--a/x');
  });

  it('normalizes case variants of one entity to one lowercase ref (the catalog compares refs case-insensitively)', () => {
    for (const ref of [
      'Component:default/Service-A',
      'component:Default/service-a',
      'COMPONENT:service-A',
      'component:default/service-a',
    ]) {
      expect(normalizeEntityRef(ref)).toBe('component:default/service-a');
    }
    expect(normalizeEntityRef('API:Team-A/My_Api.v2')).toBe(
      'api:team-a/my_api.v2',
    );
  });

  it.each([
    'payments',
    ':x',
    'component:',
    'component:a/b/c',
    'component:ns/-x',
    'com ponent:x',
    `component:${'a'.repeat(64)}`,
    'component:ns_bad/x',
  ])('rejects %j', ref => {
    expect(() => parseEntityRefStrict(ref)).toThrow(TypeError);
  });
});
