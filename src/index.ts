// `@carevision/xero-connection`: the React layer arrives on top of the client; until then this
// entry re-exports the client so the package's root import already works.
export * from './client';
