/*
 * Where the e2e run reaches the portal. Defaults to the usual ports; set
 * ASSAY_E2E_APP_PORT / ASSAY_E2E_BACKEND_PORT to run next to another portal
 * (playwright.config.ts then starts both servers on those ports).
 */

/** Port of the frontend dev server. */
export const APP_PORT = Number(process.env.ASSAY_E2E_APP_PORT ?? 3000);

/** Port of the backend. */
export const BACKEND_PORT = Number(process.env.ASSAY_E2E_BACKEND_PORT ?? 7007);

/** The frontend, as the browser sees it. */
export const APP_URL = `http://localhost:${APP_PORT}`;

/** The backend, e.g. `${BACKEND_URL}/api/evidence/v1/checkpoint`. */
export const BACKEND_URL = `http://localhost:${BACKEND_PORT}`;
