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

/** Opens the template and fills the first page; returns when on "Repository". */
async function startOnboarding(page: Page, name: string, description: string) {
  await page.goto('/create');
  const card = page
    .locator('article, div[class*="MuiCard"]', { hasText: 'Onboard a service' })
    .first();
  await expect(card).toBeVisible();
  await card.getByRole('button', { name: 'Choose' }).click();
  await expect(
    page.getByRole('heading', { name: 'Onboard a service' }),
  ).toBeVisible();

  // Step 1: the service. The name is checked against the catalog as you type.
  await page.getByTestId('service-name').fill(name);
  await expect(page.getByTestId('service-name-availability')).toHaveText(
    `'${name}' is available`,
  );
  await page.getByLabel('Description').first().fill(description);
  await pick(page, 'Owner', 'payments', /Payments Team|payments-team/);
  await pick(page, 'System', 'example', /Example Service|example-service/);
  await page.getByRole('button', { name: 'Next' }).click();

  // Step 2: where to publish; the local repository is the offline default.
  await expect(page.getByText('Where to publish').first()).toBeVisible();
  await page.getByRole('button', { name: 'Next' }).click();
}

/** Security (no JWT) and rollout defaults, then create; waits for the task. */
async function finishOnboarding(page: Page) {
  await page.getByRole('button', { name: 'Next' }).click(); // Security
  await expect(page.getByLabel('Canary steps (%)')).toHaveValue('10,50,100');
  await page.getByRole('button', { name: 'Review' }).click();
  await page.getByRole('button', { name: 'Create' }).click();
  const openInCatalog = page.getByRole('link', { name: 'Open in catalog' });
  await expect(openInCatalog).toBeVisible({ timeout: 180_000 });
  await expect(page.getByText(/Feature id:/)).toBeVisible();
  return openInCatalog;
}

test('sandbox onboarding: an out-of-range CPU is a warning, the service is still created', async ({
  page,
}) => {
  test.setTimeout(300_000);
  const name = `svc-sbx-${Date.now().toString(36)}`;
  await signInAsGuest(page);
  await startOnboarding(page, name, 'Sandbox onboarding from the e2e test');

  await page.getByLabel('Sandbox (warnings)').check();
  const cpu = page.getByTestId('resource-cpu');
  await cpu.fill('20');
  const warning = page
    .getByRole('status')
    .filter({ hasText: 'cpu must be 0.1–16.0 cores' });
  await expect(warning).toContainText(
    'Warning: cpu must be 0.1–16.0 cores with at most 3 decimal places (got 20)',
  );
  await expect(page.getByRole('alert')).toHaveCount(0);
  await page.screenshot({
    path: screenshotPath('onboarding-sandbox-warning'),
    fullPage: true,
  });
  await page.getByRole('button', { name: 'Next' }).click();

  await finishOnboarding(page);
  await expect(page.getByText(/Warnings:\s*1/)).toBeVisible();
  await page.screenshot({
    path: screenshotPath('onboarding-sandbox-completed'),
    fullPage: true,
  });
});

test('onboarding a service: an invalid CPU is refused, the fixed request creates the component', async ({
  page,
}) => {
  test.setTimeout(300_000);
  // Unique per run, so a reused local backend does not hit the conflict rule.
  const name = `svc-e2e-${Date.now().toString(36)}`;

  await signInAsGuest(page);
  await startOnboarding(page, name, 'Created by the onboarding e2e test');

  // Resources, compliance mode (the default). An invalid CPU shows
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

  // A preset fixes it: the error clears and the form moves on.
  await page.getByTestId('resource-preset-M').click();
  await expect(cpu).toHaveValue('0.5');
  await expect(error).toHaveCount(0);
  await page.getByRole('button', { name: 'Next' }).click();

  const openInCatalog = await finishOnboarding(page);
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
