import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import {
  BackstageCredentials,
  coreServices,
  createBackendPlugin,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  EventParams,
  EventsService,
  eventsServiceRef,
} from '@backstage/plugin-events-node';
import {
  EvidenceAppendResult,
  EvidenceListResult,
  EvidenceService,
  evidenceServiceRef,
} from '@assay/plugin-evidence-node';
import { evidencePlugin } from './plugin';

jest.setTimeout(60_000);

const component = (name: string) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name },
  spec: { type: 'service', lifecycle: 'production', owner: 'payments-team' },
});

/** An in-memory events service that records what is published. */
function recordingEvents() {
  const published: EventParams[] = [];
  const service: EventsService = {
    async publish(params) {
      published.push(params);
    },
    async subscribe() {},
  };
  return {
    published,
    factory: createServiceFactory({
      service: eventsServiceRef,
      deps: {},
      factory: () => service,
    }),
  };
}

/**
 * A backend plugin with the given id whose startup hook runs `fn` with the
 * evidence service, its own service credentials, and a user's credentials.
 */
function consumerPlugin(
  pluginId: string,
  fn: (evidence: EvidenceService, own: BackstageCredentials) => Promise<void>,
) {
  return createBackendPlugin({
    pluginId,
    register(env) {
      env.registerInit({
        deps: {
          evidence: evidenceServiceRef,
          auth: coreServices.auth,
          lifecycle: coreServices.lifecycle,
        },
        async init({ evidence, auth, lifecycle }) {
          lifecycle.addStartupHook(async () =>
            fn(evidence, await auth.getOwnServiceCredentials()),
          );
        },
      });
    },
  });
}

const settle = async <T>(p: Promise<T>) =>
  p.then(
    value => ({ ok: true as const, value }),
    error => ({ ok: false as const, error }),
  );

describe('evidenceServiceRef (default factory)', () => {
  it('lets another backend plugin append and read evidence through the evidence plugin', async () => {
    let appended: EvidenceAppendResult | undefined;
    let replay: EvidenceAppendResult | undefined;
    let listed: EvidenceListResult | undefined;
    const events = recordingEvents();
    const consumer = consumerPlugin('consumer', async evidence => {
      const credentials = mockCredentials.user('user:default/alice');
      const request = {
        entityRef: 'component:default/service-c',
        category: 'tests',
        subject: { runId: 'run-1', featureSha: 'abc123def456' },
        summary: { manifestDigest: 'sha256:00' },
        payload: { files: 12 },
        artifacts: [
          {
            name: 'manifest.json',
            mediaType: 'application/json',
            content: Buffer.from('{"files":[]}'),
          },
        ],
        idempotencyKey: 'onboarding-run-1',
      };
      appended = await evidence.append(request, { credentials });
      replay = await evidence.append(request, { credentials });
      listed = await evidence.list('component:default/service-c', {
        credentials,
        category: ['tests'],
      });
    });
    await startTestBackend({
      features: [
        evidencePlugin,
        consumer,
        events.factory,
        catalogServiceMock.factory({ entities: [component('service-c')] }),
        mockServices.rootConfig.factory({
          data: { backend: { baseUrl: 'http://localhost:7007' } },
        }),
      ],
    });
    expect(appended).toMatchObject({
      replayed: false,
      envelope: {
        seq: 1,
        category: 'tests',
        producer: 'user:default/alice',
        subject: { runId: 'run-1' },
      },
    });
    expect(appended!.envelope.payloadDigest).toMatch(/^sha256:/);
    expect(replay).toMatchObject({ replayed: true, hash: appended!.hash });
    expect(listed).toMatchObject({
      totalCount: 1,
      items: [{ hash: appended!.hash }],
    });
    // published once after commit; the idempotent replay is not new
    expect(events.published).toEqual([
      {
        topic: 'assay.evidence.appended',
        eventPayload: {
          entityRef: 'component:default/service-c',
          category: 'tests',
          hash: appended!.hash,
          seq: 1,
        },
      },
    ]);
  });

  it('lets plugin:delivery and plugin:scorecards write their reserved categories with their own credentials, and nobody else', async () => {
    const results: Record<string, Awaited<ReturnType<typeof settle>>> = {};
    const entityRef = 'component:default/service-a';
    const events = recordingEvents();
    const delivery = consumerPlugin('delivery', async (evidence, own) => {
      results.deliveryCanary = await settle(
        evidence.append(
          {
            entityRef,
            category: 'canary',
            summary: { actor: 'user:default/guest', verdict: 'pass' },
          },
          { credentials: own },
        ),
      );
      // its own categories only
      results.deliveryWaiver = await settle(
        evidence.append(
          { entityRef, category: 'waiver' },
          { credentials: own },
        ),
      );
      // on behalf of a user (even an owner): reserved categories are refused
      results.userCanary = await settle(
        evidence.append(
          { entityRef, category: 'canary' },
          { credentials: mockCredentials.user('user:default/guest') },
        ),
      );
      // an entity the catalog does not know
      results.unknownEntity = await settle(
        evidence.append(
          { entityRef: 'component:default/nope', category: 'promotion' },
          { credentials: own },
        ),
      );
    });
    const scorecards = consumerPlugin('scorecards', async (evidence, own) => {
      results.scorecardsCompliance = await settle(
        evidence.append(
          { entityRef, category: 'compliance', summary: { score: 80 } },
          { credentials: own },
        ),
      );
      results.scorecardsRelease = await settle(
        evidence.append(
          { entityRef, category: 'release' },
          { credentials: own },
        ),
      );
    });
    const other = consumerPlugin('other', async (evidence, own) => {
      results.otherTests = await settle(
        evidence.append({ entityRef, category: 'tests' }, { credentials: own }),
      );
    });
    await startTestBackend({
      features: [
        evidencePlugin,
        delivery,
        scorecards,
        other,
        events.factory,
        catalogServiceMock.factory({ entities: [component('service-a')] }),
        mockServices.rootConfig.factory({
          data: { backend: { baseUrl: 'http://localhost:7007' } },
        }),
      ],
    });
    const status = (k: string) => {
      const r = results[k];
      if (!r) return 'not run';
      return r.ok ? 'ok' : (r.error as any).response?.status;
    };
    expect({
      deliveryCanary: status('deliveryCanary'),
      deliveryWaiver: status('deliveryWaiver'),
      userCanary: status('userCanary'),
      unknownEntity: status('unknownEntity'),
      scorecardsCompliance: status('scorecardsCompliance'),
      scorecardsRelease: status('scorecardsRelease'),
      otherTests: status('otherTests'),
    }).toEqual({
      deliveryCanary: 'ok',
      deliveryWaiver: 403,
      userCanary: 403,
      unknownEntity: 400,
      scorecardsCompliance: 'ok',
      scorecardsRelease: 403,
      otherTests: 403,
    });
    const canary = (results.deliveryCanary as any)
      .value as EvidenceAppendResult;
    expect(canary.envelope).toMatchObject({
      category: 'canary',
      producer: 'service:plugin:delivery',
      summary: { actor: 'user:default/guest' },
    });
    expect((results.userCanary as any).error.body.error.message).toMatch(
      /category: 'canary' refused/,
    );
    expect((results.unknownEntity as any).error.body.error.message).toMatch(
      /entityRef: component:default\/nope is not in the catalog/,
    );
    expect(
      events.published.map(e => (e.eventPayload as any).category).sort(),
    ).toEqual(['canary', 'compliance']);
  });
});
