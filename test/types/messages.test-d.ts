import { describe, expectTypeOf, it } from 'vitest';

import {
  defaultMessages,
  type DisconnectDialogProps,
  type Message,
  type MessageKey,
  type XeroConnectionCardProps,
  type XeroConnectionMessages,
  type XeroReconnectNoticeProps,
} from '../../src';

// Every string the components show is a key of XeroConnectionMessages. A message is a string with
// `{placeholders}` or a function of exactly its parameters: an override with the wrong parameters,
// or for a key that does not exist, is a compile error.

describe('Message', () => {
  it('is a string or a function of its parameters', () => {
    expectTypeOf<Message>().toEqualTypeOf<string | ((params: Record<never, never>) => string)>();
    expectTypeOf<Message<{ days: number }>>().toEqualTypeOf<string | ((params: { days: number }) => string)>();
    expectTypeOf('in {days} days').toExtend<Message<{ days: number }>>();
    expectTypeOf(({ days }: { days: number }) => `in ${days} days`).toExtend<Message<{ days: number }>>();
    expectTypeOf(({ organisation }: { organisation: string }) => organisation).not.toExtend<Message<{ days: number }>>();
    expectTypeOf(({ days }: { days: number }) => days).not.toExtend<Message<{ days: number }>>();
  });
});

describe('XeroConnectionMessages: each key has its parameters', () => {
  it('pins the parameters of messages that take some', () => {
    expectTypeOf<XeroConnectionMessages['status.connected']>().toEqualTypeOf<Message<{ organisation: string }>>();
    expectTypeOf<XeroConnectionMessages['status.expiring']>().toEqualTypeOf<Message<{ days: number }>>();
    expectTypeOf<XeroConnectionMessages['status.needsReauth.refresh_token_expired']>().toEqualTypeOf<Message<{ lifetimeDays: number }>>();
    expectTypeOf<XeroConnectionMessages['status.needsReauth.refresh_token_revoked']>().toEqualTypeOf<Message<{ organisation: string }>>();
    expectTypeOf<XeroConnectionMessages['status.choosingOrganisation.multiple_organisations']>().toEqualTypeOf<
      Message<{ count: number; title: string }>
    >();
    expectTypeOf<XeroConnectionMessages['dialog.title']>().toEqualTypeOf<Message<{ organisation: string; title: string }>>();
    expectTypeOf<XeroConnectionMessages['outcome.failed']>().toEqualTypeOf<Message<{ reason: string }>>();
  });

  it('pins the messages that take none', () => {
    expectTypeOf<XeroConnectionMessages['badge.connected']>().toEqualTypeOf<Message>();
    expectTypeOf<XeroConnectionMessages['badge.needsReauth']>().toEqualTypeOf<Message>();
  });

  it('has a key for every status badge', () => {
    expectTypeOf<'badge.connected' | 'badge.expiring' | 'badge.needsReauth' | 'badge.disconnected' | 'badge.error' | 'badge.loading'>().toExtend<MessageKey>();
    expectTypeOf<MessageKey>().toEqualTypeOf<keyof XeroConnectionMessages>();
    expectTypeOf(defaultMessages).toEqualTypeOf<XeroConnectionMessages>();
  });

  it('takes partial overrides, typed per key', () => {
    const overrides = {
      'badge.connected': 'Verbunden',
      'status.expiring': ({ days }: { days: number }) => `Läuft in ${days} Tagen ab`,
    } satisfies Partial<XeroConnectionMessages>;
    expectTypeOf(overrides).toExtend<Partial<XeroConnectionMessages>>();

    const wrongParameters: Partial<XeroConnectionMessages> = {
      // @ts-expect-error status.expiring is given `days`, not `organisation`
      'status.expiring': ({ organisation }: { organisation: string }) => organisation,
    };
    const unknownKey: Partial<XeroConnectionMessages> = {
      // @ts-expect-error no such message
      'badge.conected': 'Connected',
    };
    void [wrongParameters, unknownKey];
  });
});

describe('the components take the same messages', () => {
  it('card, dialog and notice accept Partial<XeroConnectionMessages>', () => {
    expectTypeOf<{ messages: Partial<XeroConnectionMessages> }>().toExtend<Pick<XeroConnectionCardProps, 'messages'>>();
    expectTypeOf<{ messages: Partial<XeroConnectionMessages> }>().toExtend<Pick<DisconnectDialogProps, 'messages'>>();
    expectTypeOf<{ messages: Partial<XeroConnectionMessages> }>().toExtend<Pick<XeroReconnectNoticeProps, 'messages'>>();
    expectTypeOf<{ messages: { 'badge.conected': string } }>().not.toExtend<Pick<XeroConnectionCardProps, 'messages'>>();
  });
});
