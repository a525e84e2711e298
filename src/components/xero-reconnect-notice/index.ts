'use client';
export { XeroReconnectNotice, type XeroReconnectNoticeProps } from './xero-reconnect-notice';
