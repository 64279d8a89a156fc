import {
  BackstageCredentials,
  coreServices,
  createServiceFactory,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  EventParams,
  EventsService,
  eventsServiceRef,
} from '@backstage/plugin-events-node';
import { evidenceServiceRef } from '@assay/plugin-evidence-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { scorecardsPlugin } from '../plugin';
import { MemoryEvidenceService } from './MemoryEvidenceService';

/**
 * The test policy follows the Assay convention: `read` → allow for any
 * signed-in user; every other scorecards permission → the entity's owners
 * (here: alice and bob own everything, carol owns nothing).
 */
export const OWNERS = ['user:default/alice', 'user:default/bob'];

function user(c: BackstageCredentials) {
  return (c.principal as any).userEntityRef as string | undefined;
}

const permissions: PermissionsService = {
  async authorize(requests, { credentials }) {
    return requests.map(r => {
      const read = (r.permission.attributes as any).action === 'read';
      const who = user(credentials);
      const ok = read
        ? (credentials.principal as any).type !== 'none'
        : !!who && OWNERS.includes(who);
      return { result: ok ? AuthorizeResult.ALLOW : AuthorizeResult.DENY };
    }) as any;
  },
  async authorizeConditional(requests, { credentials }) {
    return requests.map(() => ({
      result:
        (credentials.principal as any).type === 'none'
          ? AuthorizeResult.DENY
          : AuthorizeResult.ALLOW,
    })) as any;
  },
};

export function recordingEvents() {
  const subscribers: Array<{
    topics: string[];
    onEvent: (p: EventParams) => Promise<void>;
  }> = [];
  const service: EventsService = {
    async publish(params) {
      for (const s of subscribers) {
        if (s.topics.includes(params.topic)) await s.onEvent(params);
      }
    },
    async subscribe(options) {
      subscribers.push(options);
    },
  };
  return service;
}

export async function startScorecards(options: {
  entities: any[];
  evidence: MemoryEvidenceService;
  config?: any;
}) {
  const events = recordingEvents();
  const backend = await startTestBackend({
    features: [
      scorecardsPlugin,
      catalogServiceMock.factory({ entities: options.entities }),
      createServiceFactory({
        service: evidenceServiceRef,
        deps: {},
        factory: () => options.evidence,
      }),
      createServiceFactory({
        service: eventsServiceRef,
        deps: {},
        factory: () => events,
      }),
      createServiceFactory({
        service: coreServices.permissions,
        deps: {},
        factory: () => permissions,
      }),
      mockServices.rootConfig.factory({
        data: { scorecards: options.config ?? {} },
      }),
    ],
  });
  return { backend, events };
}
