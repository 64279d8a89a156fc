import { expect, Page } from '@playwright/test';
import { BACKEND_URL } from './urls';

/**
 * Signs in with the guest provider (user:default/guest, a member of
 * payments-team in the demo organisation) and waits for the catalog.
 *
 * Retries twice: a backend in watch mode (`yarn start`) restarts when files
 * change, and a sign-in during the restart fails.
 */
export async function signInAsGuest(page: Page): Promise<void> {
  const catalog = page.getByRole('heading', { name: 'Assay Catalog' });
  const enter = page.getByRole('button', { name: 'Enter' });
  for (let attempt = 1; ; attempt++) {
    await waitForBackend(page);
    await page.goto('/');
    // A returning browser is signed straight back in (SignInPage `auto`).
    await expect(enter.or(catalog)).toBeVisible();
    if (await catalog.isVisible()) {
      return;
    }
    await enter.click();
    try {
      await expect(catalog).toBeVisible(
        attempt < 3 ? { timeout: 10_000 } : undefined,
      );
      return;
    } catch (error) {
      if (attempt >= 3) {
        throw error;
      }
    }
  }
}

/** Catalog users the e2e backend lets sign in besides the guest (app-config.e2e.yaml). */
export type DevUser = 'carol' | 'alice';

/**
 * Signs in as another person from the demo organisation: `carol`
 * (payments-team, like the guest, so she co-owns service-a and service-b) or
 * `alice` (platform-team). Use a fresh browser context per person
 * (`browser.newContext()`), e.g. when a requester and an approver must differ.
 *
 * The app only offers the guest button, so the guest provider's refresh
 * requests of this page are sent to the backend's `assay-dev-users` provider
 * (packages/backend/src/modules/devUsersAuth.ts, enabled by
 * app-config.e2e.yaml), which signs in the named catalog user.
 */
export async function signInAs(page: Page, user: DevUser): Promise<void> {
  await page.route(/\/api\/auth\/guest\/refresh/, route => {
    const url = new URL(route.request().url());
    url.pathname = url.pathname.replace(
      /\/guest\/refresh$/,
      '/assay-dev-users/refresh',
    );
    url.searchParams.set('user', user);
    return route.continue({ url: url.toString() });
  });
  await signInAsGuest(page);
}

/**
 * Waits until the backend answers its readiness check. `yarn start backend`
 * runs in watch mode, so an edit anywhere in a backend package restarts it
 * (for a minute on a busy machine) in the middle of a test.
 */
export async function waitForBackend(page: Page): Promise<void> {
  await expect
    .poll(
      async () => {
        try {
          const res = await page.request.get(
            `${BACKEND_URL}/.backstage/health/v1/readiness`,
            { timeout: 5_000 },
          );
          return res.status();
        } catch {
          return 0;
        }
      },
      { timeout: 240_000, intervals: [1_000, 2_000, 5_000] },
    )
    .toBe(200);
}

/**
 * Opens `path` as the person this page signed in as (`signInAsGuest` or
 * `signInAs`). A full page load signs in again; if that happens while the
 * backend restarts, the sign-in page stays: wait for the backend and enter
 * again (the page's sign-in routing, e.g. carol's, still applies).
 */
export async function openSignedIn(page: Page, path: string): Promise<void> {
  const enter = page.getByRole('button', { name: 'Enter' });
  // the sidebar's own <nav> has no box; its links do
  const app = page
    .getByRole('navigation', { name: 'sidebar nav' })
    .getByRole('link', { name: 'Settings' });
  for (let attempt = 1; ; attempt++) {
    await waitForBackend(page);
    await page.goto(path);
    await expect(enter.or(app).first()).toBeVisible({ timeout: 60_000 });
    if (await enter.isVisible()) {
      await waitForBackend(page);
      await enter.click();
    }
    try {
      await expect(app.first()).toBeVisible({ timeout: 30_000 });
      return;
    } catch (error) {
      if (attempt >= 3) throw error;
    }
  }
}
