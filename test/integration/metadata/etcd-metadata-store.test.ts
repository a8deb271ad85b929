// The etcd backend against the shared conformance suite, on the run's shared etcd (own namespace each).
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { EtcdMetadataStore } from '../../../metadata/etcd/index.js';
import { describeMetadataStoreConformance } from '../../conformance/metadata-store-conformance.js';

describeMetadataStoreConformance('etcd', {
  open: async () => new EtcdMetadataStore({ endpoints: inject('etcdEndpoints'), namespace: `/test-${randomBytes(6).toString('hex')}` }),
  revokeSession: (store, session) => (store as EtcdMetadataStore).revokeSession(session.id),
});
