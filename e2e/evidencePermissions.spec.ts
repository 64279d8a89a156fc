import { expect, Page, test } from '@playwright/test';
import { screenshotPath } from './support/paths';
import { signInAs, signInAsGuest } from './support/signIn';

/*
 * The default permission policy in the browser: legal holds and early purges
 * belong to assay.admins (demo: platform-team). The guest (payments-team,
 * owner of service-a) sees no such buttons; alice (platform-team) sets and
 * releases a hold.
 */

async function openEvidenceTab(page: Page) {
  await page.goto('/catalog/default/component/service-a');
  await page.getByRole('tab', { name: 'Evidence' }).click();
  await expect(page.getByTestId('evidence-retention-badge')).toBeVisible({
    timeout: 30_000,
  });
}

test('the guest, an owner but no admin, is not offered legal hold or early purge', async ({
  page,
}) => {
  await signInAsGuest(page);
  await openEvidenceTab(page);
  // the permission decisions have arrived once the badge shows; give them a moment
  await page.waitForTimeout(1_000);
  await expect(
    page.getByRole('button', { name: /legal hold|Purge early/ }),
  ).toHaveCount(0);
  await page.screenshot({
    path: screenshotPath('evidence-permissions-guest'),
    fullPage: true,
  });
});

test('alice (platform-team, assay.admins) sets and releases a legal hold', async ({
  page,
}) => {
  await signInAs(page, 'alice');
  await openEvidenceTab(page);
  await page.getByRole('button', { name: 'Set legal hold' }).click();
  await page.getByLabel('Reason').fill('e2e litigation 2026-17');
  await page.getByRole('button', { name: 'Set hold' }).click();
  await expect(page.getByTestId('evidence-legal-hold-badge')).toBeVisible();
  // no early purge while the hold lasts
  await expect(page.getByRole('button', { name: 'Purge early' })).toHaveCount(
    0,
  );
  await page.screenshot({
    path: screenshotPath('evidence-permissions-admin-hold'),
    fullPage: true,
  });
  await page.getByRole('button', { name: 'Release legal hold' }).click();
  await page.getByRole('button', { name: 'Release hold' }).click();
  await expect(page.getByTestId('evidence-legal-hold-badge')).toHaveCount(0);
  await expect(
    page.getByRole('button', { name: 'Set legal hold' }),
  ).toBeVisible();
});
