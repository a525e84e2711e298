import { withLocale } from '../xero-connection-card/format-date';

/**
 * When to try again, for "try this export again at {time}": the time of day ("10:42 am" in
 * en-AU), with the date when it is not today (a daily limit). Measured on the browser's clock on
 * purpose: `retryAfterSeconds` is a duration from the answer, and the time is read against the
 * clock on the person's own screen, whatever the backend's says.
 */
export function formatRetryTime(at: Date, now: Date, locale: string): string {
  const sameDay = at.toDateString() === now.toDateString();
  const options: Intl.DateTimeFormatOptions = sameDay ? { timeStyle: 'short' } : { dateStyle: 'medium', timeStyle: 'short' };
  return withLocale(locale, (tag) => new Intl.DateTimeFormat(tag, options)).format(at);
}
