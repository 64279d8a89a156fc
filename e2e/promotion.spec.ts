import { Browser, expect, Page, test } from '@playwright/test';
import { screenshotPath } from './support/paths';
import { openSignedIn, signInAs, signInAsGuest } from './support/signIn';

/*
 * Promotion on the demo (the delivery backend's promotion seed, fresh in
 * every e2e run): service-a (compliance mode) runs 1.4.1 in staging and
 * 1.4.2 in dev; staging needs one approval from someone other than the
 * requester. service-b (sandbox mode, depends on service-a) runs 2.0.1 in
 * dev. The guest and carol are both members of payments-team, which owns
 * both services.
 */

test.use({ viewport: { width: 1440, height: 1400 } });
test.setTimeout(300_000);

const TAB = '/catalog/default/component/service-a/promotion';

async function openPromotionTab(page: Page, service = 'service-a') {
  await openSignedIn(page, `/catalog/default/component/${service}`);
  await page.getByRole('tab', { name: 'Promotion' }).click();
  await expect(page).toHaveURL(
    new RegExp(`/catalog/default/component/${service}/promotion$`),
  );
  await expect(page.getByTestId('promotion-environments')).toBeVisible({
    timeout: 60_000,
  });
}

/** Carol, in her own browser context, approves service-a's promotion waiting in `environment`. */
async function approveAsCarol(browser: Browser, environment: string) {
  const context = await browser.newContext({
    viewport: { width: 1440, height: 1400 },
  });
  const carol = await context.newPage();
  try {
    await signInAs(carol, 'carol');
    await openSignedIn(carol, TAB);
    const column = carol.getByTestId(`promotion-env-${environment}`);
    const approve = column.getByTestId('promotion-approve');
    await expect(approve).toBeVisible({ timeout: 60_000 });
    await carol.screenshot({
      path: screenshotPath('promotion-carol-approves'),
      fullPage: true,
    });
    await approve.click();
    await expect(column.getByTestId('promotion-approve-error')).toHaveCount(0);
  } finally {
    await context.close();
  }
}

test('promote service-a dev → staging: gates before the click, approval by a second person, it lands', async ({
  page,
  browser,
}) => {
  await signInAsGuest(page);
  await openPromotionTab(page);

  const dev = page.getByTestId('promotion-deployed-dev');
  await expect(dev).not.toContainText('Nothing deployed yet');
  const devVersion = (
    await dev.locator('p').first().textContent()
  )?.trim() as string;
  expect(devVersion).toMatch(/^\d+\.\d+\.\d+/);
  // the next step into staging shows its gates before anything is clicked
  const next = page.getByTestId('promotion-next-staging');
  await expect(next).toContainText(`Next: ${devVersion} from dev`);
  await expect(next.getByTestId('gate-chips-staging')).toBeVisible({
    timeout: 60_000,
  });
  await expect(page.getByTestId('promotion-mode')).toContainText('compliance');
  await page.screenshot({
    path: screenshotPath('promotion-tab-before'),
    fullPage: true,
  });

  // the dialog renders the gate preview: rule, numbers, evidence read
  await next.getByTestId('promotion-promote-staging').click();
  const dialog = page.getByRole('dialog');
  await expect(
    dialog.getByRole('heading', { name: 'Promote to staging' }),
  ).toBeVisible();
  const preview = dialog.getByTestId('gate-preview');
  await expect(preview).toBeVisible({ timeout: 60_000 });
  await expect(dialog.getByTestId('gate-row-approvals')).toHaveAttribute(
    'data-status',
    'pending',
  );
  expect(
    await preview.getByTestId('promotion-evidence-link').count(),
  ).toBeGreaterThan(3);
  await expect(dialog.getByTestId('promote-approvals')).toContainText(
    '1 approval needed',
  );
  await page.screenshot({ path: screenshotPath('promotion-dialog-gates') });
  await expect(dialog.getByTestId('promote-confirm')).toBeEnabled();
  await dialog.getByTestId('promote-confirm').click();
  await expect(dialog).toBeHidden();

  // it awaits approval; the requester may not approve it
  await expect(page.getByTestId('promotion-outcome')).toContainText(
    `Promotion of ${devVersion} to staging is awaiting approval (0 of 1)`,
  );
  const staging = page.getByTestId('promotion-env-staging');
  await expect(staging.getByTestId('promotion-active-status')).toHaveText(
    'Awaiting approval',
  );
  await expect(staging.getByTestId('promotion-own-request')).toBeVisible();
  await expect(staging.getByTestId('promotion-approve')).toHaveCount(0);
  await page.screenshot({
    path: screenshotPath('promotion-awaiting-approval'),
    fullPage: true,
  });

  await approveAsCarol(browser, 'staging');

  // the guest's tab polls while a promotion is active: it lands in staging
  await expect(page.getByTestId('promotion-deployed-staging')).toContainText(
    devVersion,
    { timeout: 60_000 },
  );
  await expect(staging.getByTestId('promotion-active')).toHaveCount(0);
  await expect(page.getByTestId('promotion-deployed-staging')).toContainText(
    'approved by carol',
  );
  const history = page.getByRole('table', { name: 'promotion history' });
  await expect(history.getByRole('row').nth(1)).toContainText(devVersion);
  await expect(history.getByRole('row').nth(1)).toContainText('Succeeded');
  await page.screenshot({
    path: screenshotPath('promotion-landed-staging'),
    fullPage: true,
  });

  // the evidence of the promotion that put it there opens in the Evidence tab
  await page
    .getByTestId('promotion-deployed-staging')
    .getByTestId('promotion-evidence-link')
    .last()
    .click();
  await expect(page).toHaveURL(
    /\/catalog\/default\/component\/service-a\/evidence\?record=[0-9a-f]{64}$/,
  );
});

test('coordinated promotion of service-a + service-b in waves', async ({
  page,
  browser,
}) => {
  await signInAsGuest(page);
  await openSignedIn(page, '/assay/promotions');
  await expect(
    page.getByRole('heading', { name: 'Coordinated promotions' }),
  ).toBeVisible();

  const services = page.locator('#plan-services');
  for (const name of ['service-b', 'service-a']) {
    await services.click();
    await services.fill(name);
    await page
      .getByRole('option', { name: new RegExp(`\\(${name}\\)`) })
      .click();
  }
  await page.locator('#plan-environment').click();
  await page.getByRole('option', { name: 'staging' }).click();
  await page.getByTestId('plan-preview').click();

  // the waves: service-b depends on service-a, so service-a goes first
  const result = page.getByTestId('plan-preview-result');
  await expect(result).toBeVisible({ timeout: 60_000 });
  const a = 'component:default/service-a';
  const b = 'component:default/service-b';
  await expect(result.getByTestId(`wave-node-${a}`)).toHaveAttribute(
    'data-wave',
    '0',
  );
  await expect(result.getByTestId(`wave-node-${b}`)).toHaveAttribute(
    'data-wave',
    '1',
  );
  await expect(result.getByTestId('wave-edge')).toHaveCount(1);
  await expect(result.getByTestId(`plan-gates-${b}`)).toBeVisible();
  await page.screenshot({
    path: screenshotPath('promotion-plan-preview'),
    fullPage: true,
  });

  await page.getByTestId('plan-start').click();
  const view = page.getByTestId('plan-view');
  await expect(view).toBeVisible({ timeout: 60_000 });
  await expect(view.getByTestId(`wave-node-${a}`)).toHaveAttribute(
    'data-wave',
    '0',
  );
  await page.screenshot({
    path: screenshotPath('promotion-plan-started'),
    fullPage: true,
  });

  // service-a needs an approval in staging unless its release already runs
  // there (the first test): then carol approves it from the Promotion tab
  const status = view.getByTestId('plan-status');
  const aNode = view.getByTestId(`wave-node-${a}`);
  await expect
    .poll(
      async () =>
        `${await status.textContent()}|${await aNode.getAttribute(
          'data-status',
        )}`,
      { timeout: 120_000 },
    )
    .toMatch(/^Succeeded\||\|awaiting-approval$/);
  if ((await aNode.getAttribute('data-status')) === 'awaiting-approval') {
    await approveAsCarol(browser, 'staging');
  }

  await expect(status).toHaveText('Succeeded', { timeout: 180_000 });
  await expect(view.getByTestId(`wave-node-${b}`)).toHaveAttribute(
    'data-status',
    'succeeded',
  );
  await expect(view.getByTestId(`plan-item-${b}`)).toContainText('Succeeded');
  await expect(
    view
      .getByTestId('plan-step')
      .first()
      .getByTestId('promotion-evidence-link'),
  ).toBeVisible({ timeout: 60_000 });
  await page.screenshot({
    path: screenshotPath('promotion-plan-succeeded'),
    fullPage: true,
  });

  // the new plan heads the recent plans
  await expect(
    page.getByRole('table', { name: 'recent plans' }).getByRole('row').nth(1),
  ).toContainText('staging');
});
