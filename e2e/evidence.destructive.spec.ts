import { expect, test } from '@playwright/test';
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { E2E_SQLITE_DIR, screenshotPath } from './support/paths';
import { signInAsGuest } from './support/signIn';

/*
 * Destructive: these tests edit and delete rows of the shared e2e evidence
 * database (as someone with database access would), which breaks service-a's
 * and service-b's evidence for every later test. playwright.config.ts runs
 * `*.destructive.spec.ts` in a project that depends on all the others, so
 * they always run last.
 */

const SERVICE_A = 'component:default/service-a';
const EVIDENCE_DB = resolve(E2E_SQLITE_DIR, 'evidence.sqlite');

/**
 * Rewrites the stored canonical text of service-a's coverage record directly
 * in the database, as someone with database access would: the WORM trigger is
 * dropped first (and not recreated; data/e2e is wiped before every run).
 */
function tamperCoverageRecord(): { seq: number; hash: string } {
  expect(
    existsSync(EVIDENCE_DB),
    `${EVIDENCE_DB} is missing: is a backend from another config running on :7007?`,
  ).toBe(true);
  const db = new Database(EVIDENCE_DB);
  try {
    const row = db
      .prepare(
        `SELECT seq, hash, canonical FROM evidence_records
         WHERE entity_ref = ? AND category = 'coverage' ORDER BY seq LIMIT 1`,
      )
      .get(SERVICE_A) as { seq: number; hash: string; canonical: string };
    expect(
      row,
      'the demo seed has a coverage record for service-a',
    ).toBeTruthy();
    const tampered = row.canonical.replace(
      /"linePct":[0-9.]+/,
      '"linePct":99.9',
    );
    expect(tampered).not.toBe(row.canonical);
    db.exec('DROP TRIGGER IF EXISTS evidence_records_no_update');
    const result = db
      .prepare('UPDATE evidence_records SET canonical = ? WHERE hash = ?')
      .run(tampered, row.hash);
    expect(result.changes).toBe(1);
    return { seq: row.seq, hash: row.hash };
  } finally {
    db.close();
  }
}

const SERVICE_B = 'component:default/service-b';

/**
 * Deletes service-b's newest record (its head) directly in the database, as
 * the table owner could: the WORM delete trigger is dropped first (and not
 * recreated; data/e2e is wiped before every run). Everything left still
 * chains and is in the log, so only the head bound to the signed checkpoint
 * shows what is missing.
 */
function deleteHeadRecord(): { seq: number; hash: string } {
  expect(existsSync(EVIDENCE_DB), `${EVIDENCE_DB} is missing`).toBe(true);
  const db = new Database(EVIDENCE_DB);
  try {
    const head = db
      .prepare(
        `SELECT seq, hash FROM evidence_records
         WHERE entity_ref = ? ORDER BY seq DESC LIMIT 1`,
      )
      .get(SERVICE_B) as { seq: number; hash: string };
    expect(head, 'the demo seed has records for service-b').toBeTruthy();
    expect(head.seq).toBeGreaterThan(1);
    db.exec('DROP TRIGGER IF EXISTS evidence_records_no_delete');
    const result = db
      .prepare('DELETE FROM evidence_records WHERE hash = ?')
      .run(head.hash);
    expect(result.changes).toBe(1);
    return head;
  } finally {
    db.close();
  }
}

// Tall enough for the banner, the summary cards and the records table.
test.use({ viewport: { width: 1440, height: 1500 } });

test('the Evidence tab verifies service-a in the browser and names a tampered record', async ({
  page,
}) => {
  await signInAsGuest(page);
  await page.goto('/catalog/default/component/service-a');
  await page.getByRole('tab', { name: 'Evidence' }).click();
  await expect(page).toHaveURL(
    /\/catalog\/default\/component\/service-a\/evidence$/,
  );

  // Verified in the browser: chain, signed checkpoint, head inclusion.
  const banner = page.getByTestId('evidence-integrity-banner');
  await expect(banner).toHaveAttribute('data-state', 'verified');
  await expect(banner).toContainText('Verified in your browser');
  await expect(banner).toContainText('Ed25519 signature');

  // The demo's canary runs and scorecard results add many newer records:
  // filter the table to the categories this test reads.
  const filters = page.getByRole('group', { name: 'filter by category' });
  const showOnly = async (...categories: string[]) => {
    for (const category of categories) {
      await filters
        .getByRole('button', { name: new RegExp(`^${category}\\b`) })
        .click();
    }
  };
  await showOnly('tests', 'coverage', 'sbom');
  const table = page.getByRole('table', { name: 'evidence records' });
  await expect(table.getByText(/^\d[\d,]* tests, 0 failed/)).toBeVisible();
  await expect(table.getByText(/^coverage \d+\.\d%/)).toBeVisible();
  await expect(table.getByText(/^SBOM: 0 critical, \d+ high/)).toBeVisible();
  await expect(page.getByText("What's missing")).toBeVisible();
  await page.screenshot({
    path: screenshotPath('evidence-verified'),
    fullPage: true,
  });

  // A record's drawer proves its inclusion live.
  await table
    .getByRole('row')
    .filter({ hasText: /coverage \d/ })
    .click();
  const inclusion = page.getByTestId('evidence-inclusion');
  await expect(inclusion).toHaveAttribute('data-state', 'included');
  // wait for the drawer's slide-in to finish before the screenshot
  await expect(page.getByRole('button', { name: 'close' })).toBeInViewport({
    ratio: 1,
  });
  await page.screenshot({ path: screenshotPath('evidence-record-drawer') });
  await page.keyboard.press('Escape');

  // Someone with database access edits the stored coverage record.
  const bad = tamperCoverageRecord();
  await page.reload();
  await showOnly('coverage');
  await expect(banner).toHaveAttribute('data-state', 'broken');
  await expect(banner).toContainText('Integrity check failed');
  await expect(banner).toContainText(
    `First bad record: #${bad.seq} ${bad.hash.slice(0, 16)}`,
  );
  await expect(banner).toContainText('hash mismatch');
  await expect(table.getByText('coverage 99.9%')).toBeVisible();
  await page.screenshot({
    path: screenshotPath('evidence-tampered'),
    fullPage: true,
  });
});

test('the Evidence tab names a truncation when the newest record was deleted', async ({
  page,
}) => {
  await signInAsGuest(page);
  await page.goto('/catalog/default/component/service-b/evidence');
  const banner = page.getByTestId('evidence-integrity-banner');
  await expect(banner).toHaveAttribute('data-state', 'verified');
  await expect(banner).toContainText(
    'The signed checkpoint commits to record #',
  );

  // Someone with database access deletes service-b's head record.
  const removed = deleteHeadRecord();
  await page.reload();
  await expect(banner).toHaveAttribute('data-state', 'broken');
  await expect(banner).toContainText(
    "Integrity check failed: the entity's newest records were removed (truncated)",
  );
  await expect(banner).toContainText(
    `First bad record: #${removed.seq} ${removed.hash.slice(0, 16)}`,
  );
  await expect(banner).toContainText(
    `truncated: the signed checkpoint commits to head #${removed.seq}`,
  );
  await expect(banner).toContainText(`end at #${removed.seq - 1}`);
  await page.screenshot({
    path: screenshotPath('evidence-truncated'),
    fullPage: true,
  });
});
