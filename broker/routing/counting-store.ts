// A view of a metadata store that counts the operations made through it (to measure what loading a
// partition costs the store).
import type { MetadataStore } from '../../metadata/index.js';

const COUNTED = new Set(['get', 'put', 'delete', 'list', 'txn', 'increment']);

export function countingStore(store: MetadataStore): { store: MetadataStore; operations: () => number } {
  let n = 0;
  const proxy = new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof prop === 'string' && COUNTED.has(prop) && typeof value === 'function') {
        return (...args: unknown[]) => {
          n++;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { store: proxy, operations: () => n };
}
