/**
 * Whether `returnTo` may receive the browser after Xero: the request's own origin, or one of the
 * allowlisted origins (exact match, never a prefix: `https://portal.example.evil.test` is not
 * `https://portal.example`). Anything else would make the backend an open redirector.
 */
export function isAllowedReturnTo(returnTo: string, requestUrl: string, allowedOrigins: readonly string[]): boolean {
  let url: URL;
  try {
    url = new URL(returnTo);
  } catch {
    return false;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return false;
  if (url.username !== '' || url.password !== '') return false;
  if (url.origin === new URL(requestUrl).origin) return true;
  return allowedOrigins.some((origin) => normalizeOrigin(origin) === url.origin);
}

function normalizeOrigin(origin: string): string | null {
  try {
    return new URL(origin).origin;
  } catch {
    return null;
  }
}
