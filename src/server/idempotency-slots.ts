import { createMemoryIdempotencyRecords, type IdempotencySlot, type MemoryIdempotencyRecords } from '../contract/idempotency';
import { idempotencyScope, type ConnectionStore, type IdempotencyKeyId } from './connection-store';

// Records for stores without idempotency methods, one set per store object: handlers sharing a
// store in one process share them. In process memory only: see ConnectionStore.claimIdempotencyKey.
const FALLBACK_MAX_RECORDS = 10_000;
const fallbacks = new WeakMap<ConnectionStore, MemoryIdempotencyRecords>();

/**
 * The idempotency slot of `id` in `store`: the store's own records when it implements all three
 * methods, else records in this process's memory.
 */
export function idempotencySlot(store: ConnectionStore, id: IdempotencyKeyId): IdempotencySlot {
  const { claimIdempotencyKey: claim, completeIdempotencyKey: complete, releaseIdempotencyKey: release } = store;
  if (claim !== undefined && complete !== undefined && release !== undefined) {
    return {
      claim: (pending) => claim.call(store, id, pending),
      complete: (record) => complete.call(store, id, record),
      release: () => release.call(store, id),
    };
  }
  let records = fallbacks.get(store);
  if (records === undefined) {
    records = createMemoryIdempotencyRecords(FALLBACK_MAX_RECORDS);
    fallbacks.set(store, records);
  }
  return records.slot(idempotencyScope(id));
}
