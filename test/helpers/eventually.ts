/**
 * Polls `probe` until it gives a value (anything but undefined or false),
 * for what a test cannot be told of by an event (a file another process
 * writes, a process appearing); fails after `timeoutMs` naming `what`.
 */
export async function eventually<T>(probe: () => T | undefined | false, what = 'a condition', timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
