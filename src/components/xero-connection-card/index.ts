'use client';
export { XeroConnectionCard, type XeroConnectionCardProps } from './xero-connection-card';
export { XeroConnectionCardRoot, type XeroConnectionCardRootProps } from './xero-connection-card-root';
export * from './xero-connection-card-parts';
export {
  XeroConnectionCardOrganisationPicker,
  type XeroConnectionCardOrganisationPickerProps,
} from './card-organisation-picker';
export { XeroConnectionCardActions, type XeroConnectionCardActionsProps } from './xero-connection-card-actions';
export type { CardHeadingLevel, XeroConnectionBaseProps } from '../xero-connection-base-props';
export type { AdminContact } from './card-admin-notice';
