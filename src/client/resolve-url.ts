import type { RouteLabel } from '../contract';
import { XeroConnectionUsageError } from './errors';

/**
 * Checks a base URL when the client is created: a string, absolute http(s) or a path, without a
 * query or fragment (they would end up in the middle of every endpoint's URL).
 */
export function assertBaseUrl(baseUrl: unknown): asserts baseUrl is string {
  if (typeof baseUrl !== 'string' || baseUrl.trim() === '') {
    throw new XeroConnectionUsageError(
      `createXeroConnectionClient: baseUrl must be a non-empty string such as "/api/integrations/xero-billing" (got ${describeValue(baseUrl)})`,
      null,
    );
  }
  if (/[?#]/.test(baseUrl)) {
    throw new XeroConnectionUsageError(
      `createXeroConnectionClient: baseUrl must not contain a query or fragment (got "${baseUrl}")`,
      null,
    );
  }
  if (/^[a-z][a-z\d+.-]*:/i.test(baseUrl) && !/^https?:\/\//i.test(baseUrl)) {
    throw new XeroConnectionUsageError(
      `createXeroConnectionClient: baseUrl must be http(s) or a path (got "${baseUrl}")`,
      null,
    );
  }
}

/**
 * The absolute URL of an endpoint. A relative base resolves against the page's location at call
 * time, never at import, so creating a client during a server render is safe.
 */
export function endpointUrl(baseUrl: string, path: string, endpoint: RouteLabel): string {
  const joined = `${baseUrl.replace(/\/+$/, '')}${path}`;
  return absoluteUrl(joined, endpoint, 'baseUrl');
}

/** Resolves `url` against the page's location, or explains why it cannot be. */
export function absoluteUrl(url: string, endpoint: RouteLabel, what: string): string {
  const base = typeof location === 'undefined' ? undefined : location.href;
  try {
    return new URL(url, base).href;
  } catch (cause) {
    throw new XeroConnectionUsageError(
      base === undefined
        ? `${endpoint}: ${what} "${url}" is relative and there is no page location to resolve it against; pass an absolute URL outside the browser`
        : `${endpoint}: ${what} "${url}" is not a valid URL`,
      endpoint,
      { cause },
    );
  }
}

/** Names a value's type for an error message without echoing the value itself. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return value === '' ? 'an empty string' : 'a string';
  return typeof value;
}
