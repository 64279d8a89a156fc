import { defineConfig } from '@playwright/test';
import { resolve } from 'node:path';
import { E2E_DATA_DIR, REPO_ROOT } from './e2e/support/paths';
import { APP_URL, BACKEND_PORT, BACKEND_URL } from './e2e/support/urls';

/*
 * End-to-end tests of the Assay portal in Debian's Chromium
 * (`apt-get install -y chromium`; never `playwright install`).
 *
 * `yarn test:e2e` starts the backend (port 7007, app-config.yaml +
 * app-config.e2e.yaml, a fresh SQLite database under data/e2e/) and the
 * frontend dev server (port 3000). Outside CI, servers that are already
 * running on those ports (e.g. `yarn start`) are reused as they are.
 */

const CI = !!process.env.CI;
const config = (file: string) => `--config "${resolve(REPO_ROOT, file)}"`;

// Both servers read these, so ASSAY_E2E_APP_PORT / ASSAY_E2E_BACKEND_PORT
// move the whole run to other ports (see e2e/support/urls.ts).
const portConfig = {
  APP_CONFIG_app_baseUrl: APP_URL,
  APP_CONFIG_backend_baseUrl: BACKEND_URL,
  APP_CONFIG_backend_listen_port: String(BACKEND_PORT),
  APP_CONFIG_backend_cors_origin: APP_URL,
};

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results',
  // One backend, one dev server and 2 cores: run the tests one by one.
  workers: 1,
  fullyParallel: false,
  forbidOnly: CI,
  retries: CI ? 1 : 0,
  timeout: 90_000,
  expect: { timeout: 20_000 },
  reporter: CI
    ? [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]]
    : [['list']],

  use: {
    baseURL: APP_URL,
    browserName: 'chromium',
    viewport: { width: 1440, height: 900 },
    launchOptions: {
      executablePath: process.env.ASSAY_CHROMIUM ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
  },

  // `*.destructive.spec.ts` tamper with the shared e2e database (evidence
  // rows edited and deleted behind the API): they run in their own project
  // after every other test, so no other test reads broken evidence whatever
  // the file order. (`yarn test:e2e e2e/x.destructive.spec.ts --no-deps` runs
  // one alone.)
  projects: [
    { name: 'portal', testIgnore: /\.destructive\.spec\.ts$/ },
    {
      name: 'destructive',
      testMatch: /\.destructive\.spec\.ts$/,
      dependencies: ['portal'],
    },
  ],

  webServer: [
    {
      command: [
        `rm -rf "${E2E_DATA_DIR}" &&`,
        'yarn start backend',
        config('app-config.yaml'),
        config('app-config.e2e.yaml'),
      ].join(' '),
      url: `${BACKEND_URL}/.backstage/health/v1/readiness`,
      env: portConfig,
      reuseExistingServer: !CI,
      // Ready in ~10 s; allow for a cold machine.
      timeout: 180_000,
      stdout: 'ignore',
      stderr: 'pipe',
    },
    {
      command: 'yarn start app',
      url: APP_URL,
      reuseExistingServer: !CI,
      // The first dev build of the frontend is slow on 2 cores.
      timeout: 600_000,
      env: { ...portConfig, BROWSER: 'none' },
      stdout: 'ignore',
      stderr: 'pipe',
    },
  ],
});
