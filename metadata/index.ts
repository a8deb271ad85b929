// The metadata part: the MetadataStore contract, its etcd and embedded backends, and the key layout.
export type {
  MetadataStore, Entry, Revision, ExpectedVersion, PutOptions, DeleteOptions, Compare, TxnOp, Txn, ListResult,
  WatchEvent, WatchOptions, Watch, Session, SessionState, SessionEvents, SessionOptions,
} from './metadata-store.js';
export {
  MetadataError, BadVersionError, KeyExistsError, SessionExpiredError, StoreUnavailableError, InvalidKeyError,
  InvalidValueError, StoreClosedError, StoreCorruptError,
} from './errors.js';
// The etcd backend is a value of metadata/etcd/index.ts (so etcd3 loads only when used); its types are here too.
export type { EtcdMetadataStore, EtcdMetadataStoreOptions } from './etcd/etcd-metadata-store.js';
export { EmbeddedMetadataStore, type EmbeddedMetadataStoreOptions } from './embedded/embedded-metadata-store.js';
export { StoreLockedError } from './embedded/process-lock.js';
export { nextSessionState, type SessionInput } from './session-state.js';
export { keys, jsonValue, parseJson, type LedgerId, type PartitionRef } from './keys.js';
export { MAX_KEY_BYTES, MAX_VALUE_BYTES } from './validation.js';
