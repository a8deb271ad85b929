// Topic and namespace arguments of the HTTP tools: `orders` means public/default/orders, or give
// `tenant/namespace/topic`; each part is checked as http-api.md names them.
import { UsageError } from './errors.js';

const PART = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/;
export const DEFAULT_NAMESPACE = 'public/default';

export interface TopicArgument {
  tenant: string;
  namespace: string;
  topic: string;
  /** tenant/namespace/topic */
  full: string;
}

export function parseTopicArgument(raw: string): TopicArgument {
  const parts = raw.split('/');
  if (parts.length === 1) parts.unshift(...DEFAULT_NAMESPACE.split('/'));
  if (parts.length !== 3) throw new UsageError(`topic ${JSON.stringify(raw)}: give a topic name or tenant/namespace/topic`);
  checkParts(raw, 'topic', parts);
  const [tenant, namespace, topic] = parts as [string, string, string];
  return { tenant, namespace, topic, full: parts.join('/') };
}

export function parseNamespaceArgument(raw: string): { tenant: string; namespace: string; full: string } {
  const parts = raw.split('/');
  if (parts.length !== 2) throw new UsageError(`namespace ${JSON.stringify(raw)}: give tenant/namespace, e.g. ${DEFAULT_NAMESPACE}`);
  checkParts(raw, 'namespace', parts);
  const [tenant, namespace] = parts as [string, string];
  return { tenant, namespace, full: raw };
}

function checkParts(raw: string, what: string, parts: string[]): void {
  const bad = parts.find((p) => !PART.test(p));
  if (bad !== undefined) {
    throw new UsageError(`${what} ${JSON.stringify(raw)}: ${JSON.stringify(bad)} must start with a letter or digit and hold only letters, digits, '_', '.', '-' (at most 128)`);
  }
}
