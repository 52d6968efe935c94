// Polls until an assertion passes: for effects of workflows, workers and NOTIFY that land "soon".
export interface EventuallyOptions {
  timeoutMs?: number;
  intervalMs?: number;
}

/** Runs `check` until it stops throwing and returns its result; rethrows the last failure after the timeout. */
export async function eventually<T>(
  check: () => T | Promise<T>,
  { timeoutMs = 10_000, intervalMs = 100 }: EventuallyOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() >= deadline) throw error;
      await sleep(intervalMs);
    }
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
