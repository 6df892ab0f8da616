// Test helper for the bridge's real-socket tests: polls a condition on the wall clock (these tests
// run real I/O, outside the deterministic layers).

/** Resolves true once `pred()` holds, false if it has not after `timeoutMs`; polls every `pollMs`. */
export function waitFor(pred: () => boolean, timeoutMs: number, pollMs = 10): Promise<boolean> {
  return new Promise((resolve) => {
    const start = Date.now();
    const poll = (): void => {
      if (pred()) resolve(true);
      else if (Date.now() - start > timeoutMs) resolve(false);
      else setTimeout(poll, pollMs);
    };
    poll();
  });
}
