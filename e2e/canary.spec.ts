import { expect, Page, test } from '@playwright/test';
import { screenshotPath } from './support/paths';
import { signInAsGuest } from './support/signIn';
import { BACKEND_URL } from './support/urls';

/*
 * The Canary tab on the demo: the built-in metrics simulator and traffic
 * recorder, with the short e2e intervals of app-config.e2e.yaml (analyses
 * every few seconds). The guest is a member of payments-team, which owns
 * service-a and service-b, so the guest may start and act on canaries.
 */

test.use({ viewport: { width: 1440, height: 1800 } });
test.setTimeout(240_000);

/**
 * The backend runs in watch mode and restarts when files change; on a busy
 * machine a restart takes a while. Wait until it is ready again.
 */
async function backendReady(page: Page) {
  await expect
    .poll(
      async () =>
        (
          await page.request
            .get(`${BACKEND_URL}/.backstage/health/v1/readiness`)
            .catch(() => undefined)
        )?.status(),
      { timeout: 180_000, intervals: [1000, 2000, 5000] },
    )
    .toBe(200);
}

async function openCanaryTab(page: Page, service: string) {
  await backendReady(page);
  await signInAsGuest(page);
  await page.goto(`/catalog/default/component/${service}`);
  await page.getByRole('tab', { name: 'Canary' }).click();
  await expect(page).toHaveURL(
    new RegExp(`/catalog/default/component/${service}/canary$`),
  );
  // the demo seed left a finished run for each service, or a run is active
  await expect(page.getByTestId('canary-status')).toBeVisible();
}

/** Waits until no run is active (a previous test's run may still be going). */
async function waitUntilIdle(page: Page) {
  await expect(page.getByTestId('canary-start')).toBeEnabled({
    timeout: 180_000,
  });
}

async function startCanary(
  page: Page,
  options: {
    version: string;
    simulation: 'Healthy' | 'Degrading';
    steps?: string;
  },
) {
  await page.getByTestId('canary-start').click();
  const dialog = page.getByRole('dialog');
  await expect(
    dialog.getByRole('heading', { name: 'Start canary' }),
  ).toBeVisible();
  await dialog.locator('#start-canary-version').fill(options.version);
  if (options.steps) {
    await dialog.locator('#start-canary-steps').fill(options.steps);
  }
  await dialog.getByLabel(options.simulation).check();
  await dialog.getByRole('button', { name: 'Start' }).click();
}

test('a canary with a healthy simulator reaches 100%', async ({ page }) => {
  await openCanaryTab(page, 'service-a');
  await waitUntilIdle(page);
  await page.screenshot({ path: screenshotPath('canary-service-a-before') });

  const version = `1.5.${Date.now() % 100000}`;
  await startCanary(page, { version, simulation: 'Healthy' });
  await expect(page.getByRole('dialog')).toBeHidden();

  const status = page.getByTestId('canary-status');
  await expect(page.getByRole('heading', { name: version })).toBeVisible();
  await expect(status).toHaveText(/Running|Succeeded/);

  // The tab refreshes by itself: step by step up to 100%.
  await expect(page.getByTestId('canary-step-0')).toHaveAttribute(
    'data-state',
    'passed',
    { timeout: 60_000 },
  );
  await page.screenshot({ path: screenshotPath('canary-healthy-progress') });
  await expect(status).toHaveText('Succeeded', { timeout: 120_000 });

  for (const i of [0, 1, 2]) {
    await expect(page.getByTestId(`canary-step-${i}`)).toHaveAttribute(
      'data-state',
      'passed',
    );
  }
  await expect(page.getByTestId('canary-why')).toContainText(
    `Succeeded: ${version} serves 100% of traffic`,
  );
  await expect(
    page.getByTestId('canary-split-requested').getByRole('img'),
  ).toHaveAttribute('aria-label', 'Requested: canary 100%, stable 0%');
  // no analysis runs at 100%: the observed split is the one measured at 50%, said so
  await expect(page.getByTestId('canary-split-observed-note')).toHaveText(
    'observed at the last analysis, while 50% was requested',
  );
  // the last verdict passed, metric by metric
  await expect(page.getByTestId('canary-verdicts')).toBeVisible();
  await expect(
    page.locator('[data-testid^="canary-chart-"]').first(),
  ).toBeVisible();
  // the new run heads the history
  await expect(
    page.getByRole('table', { name: 'canary runs' }).getByRole('row').nth(1),
  ).toContainText(version);
  await page.screenshot({
    path: screenshotPath('canary-healthy-succeeded'),
    fullPage: true,
  });

  // every decision links to its canary evidence record in the Evidence tab
  const link = page.getByTestId('canary-evidence-link').first();
  await expect(link).toBeVisible({ timeout: 30_000 });
  await link.click();
  await expect(page).toHaveURL(
    /\/catalog\/default\/component\/service-a\/evidence\?record=[0-9a-f]{64}$/,
  );
});

test('a canary with a degrading simulator rolls back and says which metric, values and rule', async ({
  page,
}) => {
  await openCanaryTab(page, 'service-b');
  await waitUntilIdle(page);

  const version = `2.2.${Date.now() % 100000}`;
  await startCanary(page, { version, simulation: 'Degrading' });
  await expect(page.getByRole('dialog')).toBeHidden();
  await expect(page.getByRole('heading', { name: version })).toBeVisible();

  const status = page.getByTestId('canary-status');
  await expect(status).toHaveText('Rolled back', { timeout: 150_000 });

  const why = page.getByTestId('canary-why');
  await expect(why).toContainText(
    'Rolled back: all traffic is back on the stable version',
  );
  // which metric, at which step
  await expect(why).toContainText(/At step \d \(\d+% canary\), metric \S+/);
  // which values
  await expect(page.getByTestId('canary-why-values')).toContainText(
    /Canary: .*\d.*\. Baseline: .*\d/,
  );
  // which rule
  await expect(page.getByTestId('canary-why-rule')).toContainText(/^Rule: .+/);
  await expect(page.getByTestId('canary-stepper')).toContainText('failed here');
  await expect(
    page.getByTestId('canary-split-requested').getByRole('img'),
  ).toHaveAttribute('aria-label', 'Requested: canary 0%, stable 100%');

  // the failing metric's verdict row names its rule, in words
  const metric = (await why.locator('strong').first().textContent())?.trim();
  expect(metric).toBeTruthy();
  await expect(
    page.getByTestId(`canary-verdict-${metric}`).first(),
  ).toContainText(/High|Low|No data|Error|Failed|Inconclusive/);
  await expect(
    page.getByRole('table', { name: 'canary decisions' }),
  ).toContainText('rollback');
  await page.screenshot({
    path: screenshotPath('canary-degrading-rolled-back'),
    fullPage: true,
  });
});

test('the start dialog shows the backend’s 400 on the field it names', async ({
  page,
}) => {
  await openCanaryTab(page, 'service-a');
  await waitUntilIdle(page);
  await startCanary(page, {
    version: '9.9.9',
    simulation: 'Healthy',
    steps: '50,10',
  });
  const dialog = page.getByRole('dialog');
  const steps = dialog.locator('#start-canary-steps');
  await expect(steps).toHaveAttribute('aria-invalid', 'true');
  await expect(dialog.locator('#start-canary-steps-helper-text')).toContainText(
    /steps/,
  );
  await expect(dialog.locator('#start-canary-version')).toHaveAttribute(
    'aria-invalid',
    'false',
  );
  await page.screenshot({ path: screenshotPath('canary-start-field-error') });
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  // nothing started
  await expect(page.getByTestId('canary-start')).toBeEnabled();
});
