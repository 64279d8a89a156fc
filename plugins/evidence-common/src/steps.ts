/**
 * Long verifications are written as generators that yield between chunks of
 * work; these run them to completion either at once or yielding to the event
 * loop between chunks. (Internal, not exported from the package.)
 */
export type Steps<T> = Generator<void, T, void>;

export function runSteps<T>(steps: Steps<T>): T {
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}

export async function runStepsAsync<T>(steps: Steps<T>): Promise<T> {
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
    await new Promise(resolve => setTimeout(resolve, 0));
  }
}

/** Records processed between yields. */
export const CHUNK = 500;
