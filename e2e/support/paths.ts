import { resolve } from 'node:path';

/** Root of the repository. */
export const REPO_ROOT = resolve(__dirname, '../..');

/**
 * Everything the e2e backend writes (see app-config.e2e.yaml). Wiped before
 * the backend starts, unless an already running backend is reused locally.
 */
export const E2E_DATA_DIR = resolve(REPO_ROOT, 'data/e2e');

/** The e2e backend's SQLite files, one per plugin: `<pluginId>.sqlite`. */
export const E2E_SQLITE_DIR = resolve(E2E_DATA_DIR, 'sqlite');

/** Where tests save screenshots (PNG files are git-ignored). */
export const SCREENSHOT_DIR = resolve(REPO_ROOT, 'e2e/screenshots');

/** The file path for a screenshot called `name` (without extension). */
export const screenshotPath = (name: string) =>
  resolve(SCREENSHOT_DIR, `${name}.png`);
