// The demo's outbox: what the portal would email its administrator, one email per connection event
// that `handler.deliverConnectionEvents(send)` hands over. A real portal's `send` posts to its mailer
// (or a webhook, see `createWebhookSender`); the demo keeps the emails in memory for the page to show.
import type { ConnectionEvent } from '../src/server';
import { DEMO_ADMIN_CONTACT, type DemoEmail } from './demo-api';

function why(event: ConnectionEvent, organisation: string): string {
  switch (event.reason) {
    case 'refresh_token_expired':
      return "The connection to Xero expired because it wasn't used for 60 days.";
    case 'refresh_token_revoked':
      return `Access to ${organisation} was revoked in Xero.`;
    case 'tenant_removed_in_xero':
      return `${organisation} removed this app in Xero.`;
    default:
      return 'Xero no longer accepts the connection.';
  }
}

/** The email for one event of the integration titled `title`. */
export function emailFor(event: ConnectionEvent, title: string): DemoEmail {
  const organisation = event.organisationName ?? 'the organisation';
  const link = (text: string) => (event.reconnectUrl === undefined ? null : { href: event.reconnectUrl, text });
  const base = { id: event.id, type: event.type, integration: title, to: `${DEMO_ADMIN_CONTACT.name} <${DEMO_ADMIN_CONTACT.email}>`, occurredAt: event.occurredAt };
  switch (event.type) {
    case 'connected':
      return {
        ...base,
        subject: `${title} is connected to ${event.organisationName ?? 'Xero'}`,
        body: event.connectedBy === null ? `${title} sends to ${organisation} in Xero.` : `${event.connectedBy.displayName} connected it; ${title} sends to ${organisation} in Xero.`,
        link: null,
      };
    case 'needs_reauth':
      return {
        ...base,
        subject: `${title} needs reconnecting`,
        body: `${why(event, organisation)} Nothing reaches Xero from ${title} until someone reconnects it.`,
        link: link(`Reconnect ${title}`),
      };
    case 'recovered':
      return { ...base, subject: `${title} is connected again`, body: `${title} sends to ${organisation} in Xero again. There is nothing to do.`, link: null };
    case 'keep_alive_failing':
      return {
        ...base,
        subject: `${title} could not be kept active`,
        body: `The portal could not refresh the connection to ${organisation}${event.reason === null ? '' : ` (${event.reason})`}. It keeps trying; check the connection if this goes on.`,
        link: link(`Check ${title}`),
      };
    case 'disconnected':
      return { ...base, subject: `${title} was disconnected`, body: `Nothing is sent to Xero from ${title} until someone connects it again.`, link: null };
    case 'choosing_organisation':
      return {
        ...base,
        subject: `${title} is waiting for an organisation to be chosen`,
        body: `Xero gave access to more than one organisation, or not the one ${title} used before: the person connecting chooses one on the card.`,
        link: link(`Open ${title}`),
      };
    case 'expiring':
      return { ...base, subject: `${title} needs reconnecting soon`, body: 'The connection to Xero expires soon unless it is used.', link: link(`Reconnect ${title}`) };
  }
}

/** The outbox: emails newest first; an event delivered twice (delivery is at least once) stays one email. */
export function createOutbox() {
  let emails: DemoEmail[] = [];
  return {
    /** A `send` for `deliverConnectionEvents` / `startEventDelivery` of the integration titled `title`. */
    sendFor(title: string) {
      return (event: ConnectionEvent): void => {
        if (emails.some((email) => email.id === event.id)) return;
        emails = [emailFor(event, title), ...emails];
      };
    },
    emails: (): DemoEmail[] => emails,
    clear(): void {
      emails = [];
    },
  };
}
