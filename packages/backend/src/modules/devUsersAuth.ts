import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  authProvidersExtensionPoint,
  createProxyAuthenticator,
  createProxyAuthProviderFactory,
} from '@backstage/plugin-auth-node';
import { InputError, NotAllowedError } from '@backstage/errors';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';

/** The provider id: `/api/auth/assay-dev-users/refresh?user=<ref>`. */
export const DEV_USERS_PROVIDER_ID = 'assay-dev-users';

/**
 * Normalizes `carol` / `user:carol` / `user:default/carol` to a full user ref.
 */
export function toUserRef(value: string): string {
  return stringifyEntityRef(
    parseEntityRef(value, { defaultKind: 'user', defaultNamespace: 'default' }),
  );
}

type DevUsersContext = { users: Set<string>; enabled: boolean };

/**
 * A guest-like sign-in for a fixed list of catalog users, so end-to-end tests
 * can act as a second person (a requester and an approver must differ).
 *
 * Like the guest provider it refuses to work unless NODE_ENV=development, and
 * it is only registered when `auth.providers.assay-dev-users.users` is
 * configured (app-config.e2e.yaml does; the demo app-config.yaml does not).
 * The user is picked with the `user` query parameter and must be in the list.
 */
export const devUsersAuthenticator = createProxyAuthenticator<
  DevUsersContext,
  { userEntityRef: string },
  unknown
>({
  defaultProfileTransform: async () => ({ profile: {} }),
  initialize({ config }) {
    return {
      users: new Set(config.getStringArray('users').map(toUserRef)),
      enabled: process.env.NODE_ENV === 'development',
    };
  },
  async authenticate({ req }, ctx) {
    if (!ctx.enabled) {
      throw new NotAllowedError(
        `The ${DEV_USERS_PROVIDER_ID} provider only works in development`,
      );
    }
    const user = req.query.user;
    if (typeof user !== 'string' || !user) {
      throw new InputError('Missing query parameter "user"');
    }
    const userEntityRef = toUserRef(user);
    if (!ctx.users.has(userEntityRef)) {
      throw new NotAllowedError(
        `${userEntityRef} is not in auth.providers.${DEV_USERS_PROVIDER_ID}.users`,
      );
    }
    return { result: { userEntityRef } };
  },
});

/**
 * Registers the `assay-dev-users` sign-in provider (see above).
 */
export const authModuleDevUsers = createBackendModule({
  pluginId: 'auth',
  moduleId: 'assay-dev-users',
  register(reg) {
    reg.registerInit({
      deps: {
        providers: authProvidersExtensionPoint,
        config: coreServices.rootConfig,
      },
      async init({ providers, config }) {
        if (!config.has(`auth.providers.${DEV_USERS_PROVIDER_ID}`)) {
          return;
        }
        providers.registerProvider({
          providerId: DEV_USERS_PROVIDER_ID,
          factory: createProxyAuthProviderFactory({
            authenticator: devUsersAuthenticator,
            signInResolver: async ({ result }, ctx) =>
              ctx.signInWithCatalogUser({ entityRef: result.userEntityRef }),
          }),
        });
      },
    });
  },
});
