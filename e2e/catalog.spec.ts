import { expect, test } from '@playwright/test';
import { screenshotPath } from './support/paths';
import { signInAsGuest } from './support/signIn';

test('a guest opens service-a from the catalog', async ({ page }) => {
  await signInAsGuest(page);

  // The catalog opens on the components the guest's team (payments-team)
  // owns: the two demo services.
  await expect(page.getByText(/^Owned Components \(\d+\)$/)).toBeVisible();
  const serviceA = page.getByRole('link', { name: 'Service A', exact: true });
  await expect(serviceA).toBeVisible();
  await expect(
    page.getByRole('link', { name: 'Service B', exact: true }),
  ).toBeVisible();

  await serviceA.click();
  await expect(page).toHaveURL(/\/catalog\/default\/component\/service-a$/);
  await expect(page.getByRole('heading', { name: 'Service A' })).toBeVisible();

  // About card: the catalog data of the demo entity.
  const about = page.locator('article', { hasText: 'About' }).first();
  await expect(
    about.getByText("Accepts and settles payments; the system's core service."),
  ).toBeVisible();
  await expect(
    about.getByRole('link', { name: 'Payments Team' }),
  ).toBeVisible();
  await expect(
    about.getByRole('link', { name: 'Example Service' }),
  ).toBeVisible();
  await expect(about.getByText('production', { exact: true })).toBeVisible();

  // The relations graph shows what service-a is connected to.
  const graph = page.locator('article', { hasText: 'Relations' }).first();
  for (const node of ['Service B', 'Service A API', 'Payments DB']) {
    await expect(graph.getByText(node, { exact: true })).toBeVisible();
  }

  await page.screenshot({
    path: screenshotPath('catalog-service-a'),
    fullPage: true,
  });
});
