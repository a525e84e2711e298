// What the conformance suite needs from a backend under test: how to reach it by HTTP as a given
// caller, and how to play Xero's part of a round trip. Everything else the suite does by HTTP
// against the contract's endpoints, with the same expectations for every target.

/** Who sends a request: a user who may manage the connection, one who may only read it, or no session. */
export type Caller = 'admin' | 'viewer' | 'anonymous';

/** An organisation Xero can grant in this target's world. */
export interface TargetOrganisation {
  readonly tenantId: string;
  readonly tenantName: string;
}

/** What the user does on Xero's consent screen: Allow with these organisations ticked, or Cancel. */
export type ConsentAnswer = { readonly allow: readonly string[] } | 'cancel';

/** A backend the suite runs against. */
export interface BackendTarget {
  /** Named in the test titles. */
  readonly name: string;
  /** The integration's absolute base URL, e.g. `https://portal.example/api/integrations/xero-billing`. */
  readonly baseUrl: string;
  /** A `returnTo` the backend accepts on `POST /connect`. The suite gives it a query of its own. */
  readonly returnTo: string;
  /** Two organisations the Xero side can grant. */
  readonly organisations: readonly [TargetOrganisation, TargetOrganisation];
  /**
   * Whether the backend knows who calls (the host's session): anonymous requests are 401 and a
   * viewer's writes 403. The ./testing fake has no sessions (it stands for a signed-in admin).
   */
  readonly sessions: boolean;
  /** Before each scenario: the backend holds no connection worth keeping and Xero forgets every consent choice. */
  reset(): Promise<void>;
  /** The headers that carry `caller`'s session (nothing for `anonymous`). */
  sessionHeaders(caller: Caller): Record<string, string>;
  /** Sends one request to the backend and answers its response as is (redirects not followed). */
  fetch(request: Request): Promise<Response>;
  /**
   * Plays the user on Xero's consent screen for `authorizeUrl` (from `POST /connect`) and answers
   * the URL Xero redirects the browser to: the backend's callback with `code` and `state`, or
   * with `error=access_denied` and `state`.
   */
  consent(authorizeUrl: string, answer: ConsentAnswer): Promise<string>;
  /**
   * The browser of `caller` follows Xero's redirect to the backend's `GET /callback`; answers the
   * URL the backend sends it back to (`returnTo?xero=…`).
   */
  followCallback(callbackUrl: string, caller: Caller): Promise<string>;
  /**
   * Xero's side that only an emulated Xero can play. A target without one skips the scenarios
   * that need it, saying so: the suite never fakes an answer the backend did not give.
   */
  readonly xero?: {
    /** The grant is revoked at Xero: every token of it dies. */
    revokeGrant?(): void;
    /** Xero's token endpoint answers its next call `status`, with the OAuth `error` when given. */
    failNextTokenCall?(failure: { status: number; error?: string }): void;
    /** Xero's and the backend's shared clock moves on. */
    advanceClock?(ms: number): void;
  };
}
