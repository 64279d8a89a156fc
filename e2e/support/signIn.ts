import { expect, Page } from '@playwright/test';

/**
 * Signs in with the guest provider (user:default/guest, a member of
 * payments-team in the demo organisation) and waits for the catalog.
 */
export async function signInAsGuest(page: Page): Promise<void> {
  await page.goto('/');
  const enter = page.getByRole('button', { name: 'Enter' });
  // A returning browser is signed straight back in (SignInPage `auto`).
  await expect(
    enter.or(page.getByRole('heading', { name: 'Assay Catalog' })),
  ).toBeVisible();
  if (await enter.isVisible()) {
    await enter.click();
  }
  await expect(
    page.getByRole('heading', { name: 'Assay Catalog' }),
  ).toBeVisible();
}
