/**
 * Joins class names, skipping empty ones. The caller's `className` goes last so it reads as the
 * most specific intent (and wins ties in utility-first CSS).
 */
export function mergeClassNames(...names: ReadonlyArray<string | false | null | undefined>): string | undefined {
  const joined = names.filter(Boolean).join(' ');
  return joined === '' ? undefined : joined;
}
