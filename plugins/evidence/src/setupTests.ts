import '@testing-library/jest-dom';

// jsdom does no layout: give elements a size so the virtualized table
// renders its visible window, as a browser would.
Object.defineProperties(HTMLElement.prototype, {
  clientHeight: { configurable: true, get: () => 576 },
  clientWidth: { configurable: true, get: () => 1200 },
});
