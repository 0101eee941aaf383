/**
 * A person at the terminal mistypes: a wrong answer is said to be wrong and
 * asked again, a few times, before rolecall gives up. One loop for every
 * such question (an MFA code, the file vault's passphrase, a new passphrase
 * typed twice, an access key id), so they all count and word it alike.
 */

/** What one try gave: the answer, or what was wrong with it. */
export type Attempt<T> = { readonly answer: T } | { readonly wrong: string };

/** How many tries each of those questions gets. */
export const TRIES = 3;

/**
 * Asks up to `tries` times. After a wrong try, "rolecall: WRONG; try again"
 * goes to stderr; after the last one, `giveUp(wrong)` is thrown.
 */
export async function askUpTo<T>(ask: (attempt: number) => Promise<Attempt<T>>, giveUp: (wrong: string) => Error, tries = TRIES): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const result = await ask(attempt);
    if ('answer' in result) return result.answer;
    if (attempt >= tries) throw giveUp(result.wrong);
    process.stderr.write(`rolecall: ${result.wrong}; try again\n`);
  }
}
