import { expect, Locator, Page, test } from '@playwright/test';
import { screenshotPath } from './support/paths';
import {
  openSignedIn,
  signInAs,
  signInAsGuest,
  waitForBackend,
} from './support/signIn';

/*
 * Compliance scorecards on the demo (checks as code in app-config.yaml,
 * facts from the demo catalog and the seeded evidence):
 *   - service-a (compliance mode) reaches silver;
 *   - service-b (sandbox mode) has 2 high vulnerabilities in its SBOM, so the
 *     gold check sbom-no-critical-high does not pass (sandbox shows failures
 *     as warnings); the guest requests a waiver, carol (the same team, a
 *     different person) approves it;
 *   - the overview at /assay/scorecards filters by team.
 */

// Tall enough for the scorecard, the trend and the checks.
test.use({ viewport: { width: 1440, height: 1800 } });
// Room for a watch-mode backend restart (see waitForBackend).
test.describe.configure({ timeout: 300_000 });

const check = (page: Page, id: string): Locator =>
  page.getByTestId(`check-${id}`);

async function openCompliance(page: Page, name: string) {
  await openSignedIn(page, `/catalog/default/component/${name}`);
  await page.getByRole('tab', { name: 'Compliance' }).click();
  await expect(page).toHaveURL(
    new RegExp(`/catalog/default/component/${name}/compliance$`),
  );
  await expect(page.getByTestId('scorecard-score')).toBeVisible();
}

test('service-a reaches silver, on its overview card and its Compliance tab', async ({
  page,
}) => {
  await signInAsGuest(page);
  await openSignedIn(page, '/catalog/default/component/service-a');
  const card = page.locator('article', { hasText: 'Open compliance' });
  await expect(card.getByTestId('scorecard-level')).toHaveText('Silver');
  await expect(card.getByTestId('scorecard-score')).toContainText('/ 100');
  await card.scrollIntoViewIfNeeded();
  await page.screenshot({
    path: screenshotPath('scorecards-card-service-a'),
    fullPage: true,
  });

  await card.getByText('Open compliance').click();
  await expect(page).toHaveURL(
    /\/catalog\/default\/component\/service-a\/compliance$/,
  );
  await expect(page.getByTestId('scorecard-level')).toHaveText('Silver');
  await expect(page.getByText(/^compliance mode · computed/)).toBeVisible();
  // every bronze and silver check passes (or is waived) ...
  for (const id of ['owner-set', 'coverage-70', 'mtls-strict']) {
    await expect(
      check(page, id).getByTestId('status-pass'),
      `${id} passes`,
    ).toBeVisible();
  }
  // ... and the results cite evidence records, linked into the Evidence tab
  const evidenceLink = check(page, 'coverage-70')
    .getByRole('link', { name: /^evidence record [0-9a-f]{64}$/ })
    .first();
  await expect(evidenceLink).toHaveAttribute(
    'href',
    /\/catalog\/default\/component\/service-a\/evidence\?record=[0-9a-f]{64}$/,
  );
  // the trend has today's point
  await expect(page.getByTestId('entity-trend-summary')).toContainText(
    'Silver',
  );
  await page.screenshot({
    path: screenshotPath('scorecards-compliance-service-a'),
    fullPage: true,
  });
});

test('service-b misses a gold check with a reason; a waiver is requested by the guest and approved by carol', async ({
  browser,
}) => {
  // The guest (payments-team) requests the waiver.
  const guestContext = await browser.newContext();
  const guest = await guestContext.newPage();
  await signInAsGuest(guest);
  await openCompliance(guest, 'service-b');
  await expect(guest.getByText(/^sandbox mode · computed/)).toBeVisible();

  const sbom = check(guest, 'sbom-no-critical-high');
  await expect(sbom.getByTestId('status-warn')).toBeVisible();
  await expect(sbom.getByTestId('check-reason')).toContainText(/high/i);
  await expect(sbom.getByText(/^How to fix:/)).toBeVisible();
  await sbom.scrollIntoViewIfNeeded();
  await guest.screenshot({
    path: screenshotPath('scorecards-compliance-service-b'),
    fullPage: true,
  });

  await sbom.getByRole('button', { name: 'Request waiver' }).click();
  const dialog = guest.getByRole('dialog');
  await dialog
    .getByLabel('Reason')
    .fill(
      'The vulnerable library has no fixed release yet; vendor patch is due next sprint.',
    );
  await guest.screenshot({ path: screenshotPath('scorecards-waiver-dialog') });
  await waitForBackend(guest);
  await dialog.getByRole('button', { name: 'Request waiver' }).click();
  await expect(dialog).toBeHidden();

  const pending = sbom.getByTestId('waiver-pending');
  await expect(pending).toContainText('waiting for approval');
  await expect(pending).toContainText('Requested by guest');
  await expect(pending).toContainText(
    'You requested this waiver; someone else must approve it.',
  );
  await expect(
    pending.getByRole('button', { name: 'Approve waiver' }),
  ).toHaveCount(0);

  // Carol, another owner, approves it.
  const carolContext = await browser.newContext();
  const carol = await carolContext.newPage();
  await signInAs(carol, 'carol');
  await openCompliance(carol, 'service-b');
  const carolSbom = check(carol, 'sbom-no-critical-high');
  const carolPending = carolSbom.getByTestId('waiver-pending');
  await expect(carolPending).toContainText('Requested by guest');
  await carolSbom.scrollIntoViewIfNeeded();
  await carol.screenshot({
    path: screenshotPath('scorecards-waiver-pending-approver'),
    fullPage: true,
  });
  await waitForBackend(carol);
  await carolPending.getByRole('button', { name: 'Approve waiver' }).click();

  const approved = carolSbom.getByTestId('waiver-approved');
  await expect(approved).toContainText(/^Waived until .+, approved by carol/);
  await expect(carolSbom.getByTestId('status-waived')).toBeVisible();
  await carolSbom.scrollIntoViewIfNeeded();
  await carol.screenshot({
    path: screenshotPath('scorecards-waiver-approved'),
    fullPage: true,
  });

  // The requester sees the approval too.
  await openSignedIn(guest, '/catalog/default/component/service-b/compliance');
  await expect(
    check(guest, 'sbom-no-critical-high').getByTestId('waiver-approved'),
  ).toContainText('approved by carol');

  await guestContext.close();
  await carolContext.close();
});

test('the overview lists every entity and filters by team', async ({
  page,
}) => {
  await signInAsGuest(page);
  await page.getByRole('link', { name: 'Scorecards' }).click();
  await expect(page).toHaveURL(/\/assay\/scorecards$/);
  await expect(
    page.getByRole('heading', { name: 'Compliance scorecards' }),
  ).toBeVisible();

  const rows = page.getByTestId('overview-row');
  // Results of entities nobody opened yet come from the scheduled refresh
  // and the catalog scan (every 2 minutes): reload until the platform team's
  // `assay` component is in.
  await expect
    .poll(
      async () => {
        await openSignedIn(page, '/assay/scorecards');
        await rows.first().waitFor();
        return rows.filter({ hasText: 'component:default/assay' }).count();
      },
      { timeout: 240_000, intervals: [5_000, 15_000, 30_000] },
    )
    .toBe(1);
  await expect(
    rows.filter({ hasText: 'component:default/service-a' }),
  ).toHaveCount(1);
  await expect(
    page.getByRole('table', { name: 'levels per team' }),
  ).toContainText('payments-team');
  await page.screenshot({
    path: screenshotPath('scorecards-overview'),
    fullPage: true,
  });

  const filters = page.getByTestId('overview-filters');
  await filters.getByRole('button', { name: 'Team' }).click();
  await page.getByRole('option', { name: 'payments-team' }).click();
  await expect(page).toHaveURL(/owner=group%3Adefault%2Fpayments-team/);
  await expect(rows.filter({ hasText: 'component:default/assay' })).toHaveCount(
    0,
  );
  await expect(
    rows.filter({ hasText: 'component:default/service-b' }),
  ).toHaveCount(1);
  for (const owner of await rows.locator('td:nth-child(3)').allTextContents()) {
    expect(owner).toBe('payments-team');
  }
  await page.screenshot({
    path: screenshotPath('scorecards-overview-payments-team'),
    fullPage: true,
  });

  await page.getByRole('tab', { name: 'Controls' }).click();
  await expect(page).toHaveURL(/\/assay\/scorecards\/controls/);
  await expect(
    page.getByRole('button', { name: /^control / }).first(),
  ).toBeVisible();
  await page
    .getByRole('button', { name: /^control / })
    .first()
    .click();
  await expect(
    page.getByRole('table', { name: /evidenced/i }).first(),
  ).toBeVisible();
  await page.screenshot({
    path: screenshotPath('scorecards-controls'),
    fullPage: true,
  });
});
