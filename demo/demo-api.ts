// What the demo page and the demo server share: the integrations, the play users and the shape
// of GET /demo/state. Plain data, so both the browser and Node import it.

/** The portal's two Xero integrations: the help page's "Xero Billing", and payroll. */
export const DEMO_INTEGRATIONS = [
  { id: 'billing', title: 'Xero Billing', basePath: '/api/integrations/xero-billing', scopes: ['accounting.transactions', 'accounting.contacts'] },
  { id: 'payroll', title: 'Xero Payroll', basePath: '/api/integrations/xero-payroll', scopes: ['payroll.employees', 'payroll.timesheets'] },
] as const;

/** Who the demo lets you be: an administrator who may repair the connection, and a viewer who may not. */
export const DEMO_USERS = {
  alice: { id: 'alice', name: 'Alice Nguyen (administrator)', canManage: true },
  carol: { id: 'carol', name: 'Carol Smith (viewer)', canManage: false },
} as const;

/** The Direct Export panel's exports: invoices to Xero Billing, timesheets to Xero Payroll. */
export const DEMO_EXPORTS = [
  { kind: 'invoices', integrationId: 'billing', label: 'Export 3 invoices to Xero' },
  { kind: 'timesheets', integrationId: 'payroll', label: 'Send timesheets to Xero' },
] as const;

/** `POST /api/exports/${kind}`. */
export type DemoExportKind = (typeof DEMO_EXPORTS)[number]['kind'];

/** Whom a viewer is told to ask (the cards and the export notices alike). */
export const DEMO_ADMIN_CONTACT = { name: 'Alice Nguyen', email: 'alice@sunrise-care.example' };

/** A play user's id. */
export type DemoUserId = keyof typeof DEMO_USERS;

/** GET /demo/state. */
export interface DemoState {
  mode: 'emulator' | 'real-xero';
  user: DemoUserId | null;
  users: readonly (typeof DEMO_USERS)[DemoUserId][];
  /** The emulator's clock (the backend shares it). */
  now: string;
  emulatorUrl: string | null;
  integrations: readonly { id: string; title: string; basePath: string }[];
  /** The organisations connected in (emulated) Xero right now. */
  xeroConnections: readonly { tenantId: string; tenantName: string | null }[];
  /** Whether the backend keeps connections alive (the page's switch). */
  keepAlive: boolean;
  /** Refreshes keep-alive made during the last "time passes" control; `null` when keep-alive was off or none ran. */
  keepAliveRefreshes: number | null;
  /** What (emulated) Xero holds, over all its organisations: the exports that reached it. */
  xeroHolds: { invoices: number; timesheets: number };
  /** Whether "Use up today's Xero calls" lowered Xero's day limit (until restored or Start over). */
  apiLimitsLowered: boolean;
}

/** One email in the demo's outbox (GET /demo/outbox): what the portal would send its administrator for one connection event. */
export interface DemoEmail {
  /** The event's id: the same event delivered twice is one email. */
  id: string;
  /** The event's type: connected, needs_reauth, recovered, … */
  type: string;
  /** The integration's title, e.g. "Xero Billing". */
  integration: string;
  to: string;
  subject: string;
  /** What happened and what to do, in a sentence or two. */
  body: string;
  /** When it happened, on Xero's (the backend's) clock. */
  occurredAt: string;
  /** For events that need a person: the page with the reconnect parameters, and the link's words. */
  link: { href: string; text: string } | null;
}

/** GET /demo/outbox: the emails, newest first. */
export interface DemoOutbox {
  emails: DemoEmail[];
}
