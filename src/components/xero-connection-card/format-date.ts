// Dates come from a backend the card does not control: a malformed timestamp or a locale the
// browser does not know must degrade to something readable, never throw during render.

const DAY_MS = 86_400_000;
const FALLBACK_LOCALE = 'en-AU';

const RELATIVE_UNITS: ReadonlyArray<readonly [Intl.RelativeTimeFormatUnit, number]> = [
  ['year', 365 * DAY_MS],
  ['month', 30 * DAY_MS],
  ['week', 7 * DAY_MS],
  ['day', DAY_MS],
  ['hour', 3_600_000],
  ['minute', 60_000],
];

/** Reads an ISO timestamp (or a `Date`); `null` when absent or not a real date. */
export function parseDate(value: string | Date | null | undefined): Date | null {
  if (value === null || value === undefined) return null;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** Makes an `Intl` formatter for `locale`, or for the card's default when the tag is malformed. */
export function withLocale<T>(locale: string, make: (locale: string) => T): T {
  try {
    return make(locale);
  } catch {
    // A malformed locale tag throws a RangeError; the card's own default always works.
    return make(FALLBACK_LOCALE);
  }
}

/**
 * The date as `Intl.DateTimeFormat(locale, { dateStyle: 'medium' })` writes it ("24 Nov 2026" in
 * en-AU); `null` when there is no valid date, so the caller can show its "never" text.
 */
export function formatDate(value: string | Date | null | undefined, locale: string): string | null {
  const date = parseDate(value);
  if (!date) return null;
  return withLocale(locale, (tag) => new Intl.DateTimeFormat(tag, { dateStyle: 'medium' })).format(date);
}

/**
 * How long ago (or ahead) the date is, as `Intl.RelativeTimeFormat` writes it ("2 days ago",
 * "yesterday", "in 5 days"), in the largest unit that fits; `null` when there is no valid date.
 */
export function formatRelative(
  value: string | Date | null | undefined,
  locale: string,
  now: Date = new Date(),
): string | null {
  const date = parseDate(value);
  if (!date) return null;
  const format = withLocale(locale, (tag) => new Intl.RelativeTimeFormat(tag, { numeric: 'auto' }));
  const diff = date.getTime() - now.getTime();
  const magnitude = Math.abs(diff);
  for (const [unit, size] of RELATIVE_UNITS) {
    if (magnitude >= size) return format.format(Math.trunc(diff / size), unit);
  }
  return format.format(0, 'minute');
}

/** The ISO form for a `<time dateTime>` attribute; `undefined` when there is no valid date. */
export function isoDate(value: string | Date | null | undefined): string | undefined {
  return parseDate(value)?.toISOString();
}
