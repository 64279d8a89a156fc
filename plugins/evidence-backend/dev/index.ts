import { createBackend } from '@backstage/backend-defaults';
import { mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';

// Standalone evidence backend for plugin development (`yarn start` in this
// package): mock auth (no token needed), an in-memory catalog with one
// compliance-mode service, and the demo seed. Try:
//   curl localhost:7007/api/evidence/v1/entities/component/default/service-a/records
//   curl localhost:7007/api/evidence/v1/checkpoint
const backend = createBackend();

backend.add(mockServices.auth.factory());
backend.add(mockServices.httpAuth.factory());
backend.add(
  catalogServiceMock.factory({
    entities: [
      {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: {
          name: 'service-a',
          annotations: {
            'assay.dev/evidence-enabled': 'true',
            'assay.dev/compliance-mode': 'compliance',
          },
        },
        spec: {
          type: 'service',
          lifecycle: 'production',
          owner: 'payments-team',
        },
      },
    ],
  }),
);
backend.add(import('../src'));

backend.start();
