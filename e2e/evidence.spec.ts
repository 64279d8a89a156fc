import { expect, test } from '@playwright/test';
import { signInAsGuest } from './support/signIn';

// Tall enough for the banner, the summary cards and the records table.
test.use({ viewport: { width: 1440, height: 1500 } });

test('the overview card summarizes service-a and links to the Evidence tab', async ({
  page,
}) => {
  await signInAsGuest(page);
  await page.goto('/catalog/default/component/service-a');
  const card = page.locator('article', { hasText: 'Open evidence and verify' });
  await expect(
    card.getByText(/^\d[\d,]* records? · compliance mode/),
  ).toBeVisible();
  await expect(card.getByText(/^\d[\d,]* tests, 0 failed/)).toBeVisible();
  await expect(card.getByTestId('evidence-retention-badge')).toBeVisible();
  await card.getByText('Open evidence and verify').click();
  await expect(page).toHaveURL(
    /\/catalog\/default\/component\/service-a\/evidence$/,
  );
  await expect(page.getByTestId('evidence-integrity-banner')).toBeVisible();
});
