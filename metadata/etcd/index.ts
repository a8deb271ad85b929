// The etcd backend of the metadata store, its own entry point: etcd3 (and gRPC) load only for those who use it.
export { EtcdMetadataStore, type EtcdMetadataStoreOptions } from './etcd-metadata-store.js';
