'use client';
export { XeroConnectionCard, type XeroConnectionCardProps } from './xero-connection-card';
export type { CardHeadingLevel } from './card-header';
export type { AdminContact } from './card-admin-notice';
