import '@testing-library/jest-dom';

// jsdom has no ResizeObserver; recharts' ResponsiveContainer needs one (it
// then renders nothing at size 0, and the tests read the text summaries).
if (!('ResizeObserver' in globalThis)) {
  (globalThis as any).ResizeObserver = class {
    observe() {}
    unobserve() {}
    disconnect() {}
  };
}

// Two shared cores and several test runs at once: give slow renders time.
jest.setTimeout(60_000);
// eslint-disable-next-line import/first
import { configure } from '@testing-library/react';

configure({ asyncUtilTimeout: 10_000 });
