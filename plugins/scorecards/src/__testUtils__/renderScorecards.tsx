import { Entity } from '@backstage/catalog-model';
import { identityApiRef } from '@backstage/core-plugin-api';
import {
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { ReactElement } from 'react';
import { scorecardsApiRef } from '../api/ScorecardsApi';
import { ScorecardsClient } from '../api/ScorecardsClient';
import { BASE_URL, GUEST } from './fakeScorecards';

export const serviceEntity = (name = 'service-b'): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name,
    namespace: 'default',
    annotations: { 'assay.dev/compliance-mode': 'compliance' },
  },
  spec: { type: 'service', owner: 'payments-team' },
});

/**
 * Renders `element` with the real ScorecardsClient against msw, a
 * permission API that allows the given permission names (all by default)
 * and the given signed-in user.
 */
export function renderScorecards(
  element: ReactElement,
  options: {
    entity?: Entity;
    /** permission names that are allowed; every other one is denied */
    allow?: string[];
    user?: string;
    routeEntries?: string[];
  } = {},
) {
  const { entity, allow, user = GUEST } = options;
  const permissionApi = mockApis.permission({
    authorize: allow
      ? req =>
          allow.includes(req.permission.name)
            ? AuthorizeResult.ALLOW
            : AuthorizeResult.DENY
      : AuthorizeResult.ALLOW,
  });
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [
          scorecardsApiRef,
          new ScorecardsClient({
            discoveryApi: { getBaseUrl: async () => BASE_URL },
            fetchApi: { fetch: (...args) => fetch(...args) },
          }),
        ],
        [permissionApiRef, permissionApi],
        [identityApiRef, mockApis.identity({ userEntityRef: user })],
      ]}
    >
      {entity ? (
        <EntityProvider entity={entity}>{element}</EntityProvider>
      ) : (
        element
      )}
    </TestApiProvider>,
    {
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
      routeEntries: options.routeEntries,
    },
  );
}
