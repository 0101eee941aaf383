/** "did you mean" for a mistyped profile name: the closest few by edit distance. */
export function suggestNames(wanted: string, names: readonly string[], limit = 3): string | undefined {
  const threshold = Math.max(2, Math.floor(wanted.length / 3));
  const close = names
    .map((name) => ({ name, distance: editDistance(wanted.toLowerCase(), name.toLowerCase()) }))
    .filter(({ name, distance }) => distance <= threshold || name.toLowerCase().includes(wanted.toLowerCase()))
    .sort((a, b) => a.distance - b.distance || a.name.localeCompare(b.name))
    .slice(0, limit)
    .map(({ name }) => `"${name}"`);
  return close.length ? close.join(' or ') : undefined;
}

/** "; did you mean "dev"?" after a message, or nothing when no name is close. */
export function didYouMean(wanted: string, names: readonly string[]): string {
  const hint = suggestNames(wanted, names);
  return hint ? `; did you mean ${hint}?` : '';
}

export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min((previous[j] as number) + 1, (row[j - 1] as number) + 1, (previous[j - 1] as number) + cost);
    }
    previous = row;
  }
  return previous[b.length] as number;
}
