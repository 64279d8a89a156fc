import { ConfigReader } from '@backstage/config';
import { devUsersAuthenticator, toUserRef } from './devUsersAuth';

const config = new ConfigReader({ users: ['carol', 'user:default/alice'] });
const request = (query: Record<string, unknown>) =>
  ({ req: { query } } as unknown as Parameters<
    typeof devUsersAuthenticator.authenticate
  >[0]);

describe('devUsersAuthenticator', () => {
  const env = process.env.NODE_ENV;
  afterEach(() => {
    process.env.NODE_ENV = env;
  });

  it('signs in a listed user in development', async () => {
    process.env.NODE_ENV = 'development';
    const ctx = devUsersAuthenticator.initialize({ config });
    await expect(
      devUsersAuthenticator.authenticate(request({ user: 'carol' }), ctx),
    ).resolves.toEqual({ result: { userEntityRef: 'user:default/carol' } });
    await expect(
      devUsersAuthenticator.authenticate(
        request({ user: 'user:default/alice' }),
        ctx,
      ),
    ).resolves.toEqual({ result: { userEntityRef: 'user:default/alice' } });
  });

  it('refuses unlisted users and a missing user', async () => {
    process.env.NODE_ENV = 'development';
    const ctx = devUsersAuthenticator.initialize({ config });
    await expect(
      devUsersAuthenticator.authenticate(request({ user: 'bob' }), ctx),
    ).rejects.toThrow('user:default/bob is not in');
    await expect(
      devUsersAuthenticator.authenticate(request({}), ctx),
    ).rejects.toThrow('Missing query parameter "user"');
  });

  it('refuses everyone outside development', async () => {
    process.env.NODE_ENV = 'production';
    const ctx = devUsersAuthenticator.initialize({ config });
    await expect(
      devUsersAuthenticator.authenticate(request({ user: 'carol' }), ctx),
    ).rejects.toThrow('only works in development');
  });

  it('normalizes user refs', () => {
    expect(toUserRef('carol')).toBe('user:default/carol');
    expect(toUserRef('user:carol')).toBe('user:default/carol');
  });
});
