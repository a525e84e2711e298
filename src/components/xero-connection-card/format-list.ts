// Names from a backend joined the way the locale writes lists ("A and B", "A, B or C"). Like the
// dates, a locale the browser does not know must degrade to something readable, never throw.

const FALLBACK_LOCALE = 'en-AU';

/**
 * `names` as `Intl.ListFormat(locale, { type })` joins them: `conjunction` ("A and B") or
 * `disjunction` ("A or B"). A single name comes back as it is.
 */
export function formatList(names: readonly string[], locale: string, type: 'conjunction' | 'disjunction'): string {
  try {
    return new Intl.ListFormat(locale, { style: 'long', type }).format(names);
  } catch {
    // A malformed locale tag throws a RangeError; the card's own default always works.
    return new Intl.ListFormat(FALLBACK_LOCALE, { style: 'long', type }).format(names);
  }
}
