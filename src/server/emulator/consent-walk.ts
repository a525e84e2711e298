// `approve` and `deny` click through the consent page as a browser would: follow the redirects,
// keep the cookies oidc-provider sets (the interaction is bound to its `_interaction` cookie,
// the resume to `_interaction_resume`), and submit the page's form with the chosen button. The
// walk ends at the first redirect that leaves the emulator: the app's redirect_uri.

export interface ConsentChoice {
  decision: 'allow' | 'cancel';
  tenantIds: readonly string[];
  /** The Xero user who signs in; default the emulator's one user. */
  xeroUserId?: string;
}

/** Walks from `authorizeUrl` to the redirect back to the app, and answers that URL. */
export async function walkConsent(authorizeUrl: string, choice: ConsentChoice): Promise<string> {
  const emulatorOrigin = new URL(authorizeUrl).origin;
  const cookies = new CookieJar();
  let url = authorizeUrl;
  let init: RequestInit = {};
  let submitted = false;

  for (let step = 0; step < 10; step += 1) {
    const cookie = cookies.header(url);
    const response = await fetch(url, { ...init, headers: cookie === '' ? {} : { cookie }, redirect: 'manual' });
    cookies.store(url, response.headers.getSetCookie());

    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location !== null) {
      await response.body?.cancel();
      const next = new URL(location, url);
      if (next.origin !== emulatorOrigin) return next.href;
      url = next.href;
      init = {};
      continue;
    }

    const html = await response.text();
    const action = /<form method="post" action="([^"]*)"/.exec(html)?.[1];
    if (!response.ok || submitted || action === undefined) throw new Error(`The emulator's consent page answered ${response.status}`);
    const form = new URLSearchParams({ decision: choice.decision });
    if (choice.xeroUserId !== undefined) form.set('xeroUser', choice.xeroUserId);
    for (const tenantId of choice.tenantIds) form.append('tenantId', tenantId);
    url = new URL(action.replaceAll('&amp;', '&'), url).href;
    init = { method: 'POST', body: form };
    submitted = true;
  }
  throw new Error('The consent walk never came back to the app');
}

/** Name → value, with the Path each was set for; enough for one origin's session cookies. */
class CookieJar {
  readonly #cookies = new Map<string, { value: string; path: string }>();

  store(url: string, setCookies: readonly string[]): void {
    for (const line of setCookies) {
      const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
      const separator = pair.indexOf('=');
      if (separator <= 0) continue;
      const name = pair.slice(0, separator);
      const value = pair.slice(separator + 1);
      const attribute = (key: string) =>
        attributes.find((candidate) => candidate.toLowerCase().startsWith(`${key}=`))?.slice(key.length + 1);
      const expires = attribute('expires');
      const maxAge = attribute('max-age');
      const deleted = value === '' || (expires !== undefined && Date.parse(expires) <= Date.now()) || (maxAge !== undefined && Number(maxAge) <= 0);
      if (deleted) this.#cookies.delete(name);
      else this.#cookies.set(name, { value, path: attribute('path') ?? (new URL(url).pathname.replace(/\/[^/]*$/, '') || '/') });
    }
  }

  header(url: string): string {
    const { pathname } = new URL(url);
    return [...this.#cookies]
      .filter(([, { path }]) => pathname === path || pathname.startsWith(path.endsWith('/') ? path : `${path}/`))
      .map(([name, { value }]) => `${name}=${value}`)
      .join('; ');
  }
}
