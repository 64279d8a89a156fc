/*
 * The Assay backend: the Backstage plugins the portal uses, plus the Assay
 * plugins. Keep this list to what the frontend actually calls, so no page
 * talks to a backend that is not there.
 */

import { createBackend } from '@backstage/backend-defaults';
import { permissionModuleAssayPolicy } from './modules/permissionPolicy';
import { authModuleDevUsers } from './modules/devUsersAuth';

const backend = createBackend();

backend.add(import('@backstage/plugin-app-backend'));
backend.add(import('@backstage/plugin-proxy-backend'));

// scaffolder plugin
backend.add(import('@backstage/plugin-scaffolder-backend'));
backend.add(
  import('@backstage/plugin-scaffolder-backend-module-notifications'),
);
// publish:github, publish:github:pull-request and publish:gitlab for the
// onboarding template's repository choice (local publishing stays the
// offline default; these need integrations.github / integrations.gitlab)
backend.add(import('@backstage/plugin-scaffolder-backend-module-github'));
backend.add(import('@backstage/plugin-scaffolder-backend-module-gitlab'));

// auth plugin
backend.add(import('@backstage/plugin-auth-backend'));
// See https://backstage.io/docs/backend-system/building-backends/migrating#the-auth-plugin
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));
// See https://backstage.io/docs/auth/guest/provider
// Sign-in as a listed catalog user, for e2e tests that need a second person;
// off unless auth.providers.assay-dev-users is configured (app-config.e2e.yaml).
backend.add(authModuleDevUsers);

// catalog plugin
backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(
  import('@backstage/plugin-catalog-backend-module-scaffolder-entity-model'),
);

// See https://backstage.io/docs/features/software-catalog/configuration#subscribing-to-catalog-errors
backend.add(import('@backstage/plugin-catalog-backend-module-logs'));

// permission plugin, with the Assay policy (see ./modules/permissionPolicy.ts)
backend.add(import('@backstage/plugin-permission-backend'));
backend.add(permissionModuleAssayPolicy);

// search plugin
backend.add(import('@backstage/plugin-search-backend'));

// No search engine module: the built-in Lunr engine (in memory) is used.
// See https://backstage.io/docs/features/search/search-engines
backend.add(import('@backstage/plugin-search-backend-module-catalog'));

// events plugin: carries catalog and signals events between backend instances
backend.add(import('@backstage/plugin-events-backend'));

// user settings plugin
backend.add(import('@backstage/plugin-user-settings-backend'));

// notifications and signals plugins
backend.add(import('@backstage/plugin-notifications-backend'));
backend.add(import('@backstage/plugin-signals-backend'));

// Assay plugins
backend.add(import('@assay/plugin-evidence-backend'));
backend.add(import('@assay/plugin-delivery-backend'));
backend.add(import('@assay/plugin-scaffolder-backend-module-onboarding'));
backend.add(import('@assay/plugin-scorecards-backend'));
backend.start();
