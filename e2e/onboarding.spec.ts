import { expect, Page, test } from '@playwright/test';
import { screenshotPath } from './support/paths';
import { signInAsGuest } from './support/signIn';

/** Picks an option of a catalog autocomplete (OwnerPicker, EntityPicker). */
async function pick(page: Page, label: string, search: string, option: RegExp) {
  const input = page
    .getByRole('combobox', { name: label })
    .or(page.getByLabel(label))
    .first();
  await input.click();
  await input.fill(search);
  await page.getByRole('option', { name: option }).first().click();
}

test('onboarding a service: an invalid CPU is refused, the fixed request creates the component', async ({
  page,
}) => {
  test.setTimeout(300_000);
  // Unique per run, so a reused local backend does not hit the conflict rule.
  const name = `svc-e2e-${Date.now().toString(36)}`;

  await signInAsGuest(page);
  await page.goto('/create');
  const card = page
    .locator('article, div[class*="MuiCard"]', { hasText: 'Onboard a service' })
    .first();
  await expect(card).toBeVisible();
  await card.getByRole('button', { name: 'Choose' }).click();
  await expect(
    page.getByRole('heading', { name: 'Onboard a service' }),
  ).toBeVisible();

  // Step 1: the service.
  await page.getByLabel('Name').first().fill(name);
  await page
    .getByLabel('Description')
    .first()
    .fill('Created by the onboarding e2e test');
  await pick(page, 'Owner', 'payments', /Payments Team|payments-team/);
  await pick(page, 'System', 'example', /Example Service|example-service/);
  await page.getByRole('button', { name: 'Next' }).click();

  // Step 2: resources, compliance mode (the default). An invalid CPU shows
  // the rule's error live and blocks the step.
  await expect(page.getByLabel('Compliance (fail fast)')).toBeChecked();
  const cpu = page.getByTestId('resource-cpu');
  await cpu.fill('0.05');
  const error = page
    .getByRole('alert')
    .filter({ hasText: 'cpu must be 0.1–16.0 cores' });
  await expect(error).toContainText(
    'cpu must be 0.1–16.0 cores with at most 3 decimal places (got 0.05)',
  );
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(cpu).toBeVisible(); // still on this step
  await page.screenshot({
    path: screenshotPath('onboarding-invalid-cpu'),
    fullPage: true,
  });

  // Fixing it clears the error and lets the form move on.
  await cpu.fill('0.5');
  await expect(error).toHaveCount(0);
  await page.getByRole('button', { name: 'Next' }).click();

  // Step 3: rollout and SLOs, defaults (10,50,100; the mode's SLOs).
  await expect(page.getByLabel('Canary steps (%)')).toHaveValue('10,50,100');
  await page.getByRole('button', { name: 'Review' }).click();
  await page.getByRole('button', { name: 'Create' }).click();

  // The task runs every step and links to the new component.
  const openInCatalog = page.getByRole('link', { name: 'Open in catalog' });
  await expect(openInCatalog).toBeVisible({ timeout: 180_000 });
  await expect(page.getByText(/Feature id:/)).toBeVisible();
  await page.screenshot({
    path: screenshotPath('onboarding-task-completed'),
    fullPage: true,
  });

  // The component is in the catalog. The catalog
  // processes a new location asynchronously, so reload until it is there.
  await openInCatalog.click();
  await expect(page).toHaveURL(
    new RegExp(`/catalog/default/component/${name}`),
  );
  await expect(async () => {
    await page.reload();
    await expect(
      page.getByText('Created by the onboarding e2e test').first(),
    ).toBeVisible({ timeout: 3_000 });
  }).toPass({ timeout: 120_000 });
  await expect(page.getByRole('heading', { name })).toBeVisible();
  await page.screenshot({
    path: screenshotPath('onboarding-component'),
    fullPage: true,
  });

  // Its Evidence tab shows the onboarding record.
  await page.getByRole('tab', { name: 'Evidence' }).click();
  const table = page.getByRole('table', { name: 'evidence records' });
  await expect(
    table.getByRole('row').filter({ hasText: 'onboarding' }).first(),
  ).toBeVisible();
  await page.screenshot({
    path: screenshotPath('onboarding-evidence'),
    fullPage: true,
  });

  // And it is listed in the catalog.
  await page.goto('/catalog?filters[kind]=component&filters[user]=all');
  await expect(page.getByRole('link', { name, exact: true })).toBeVisible();
});
