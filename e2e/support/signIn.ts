import { expect, Page } from '@playwright/test';

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
