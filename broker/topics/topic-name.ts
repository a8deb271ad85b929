// Topic names: `tenant/namespace/topic`, each part matching NAME_PATTERN (http-api.md).
import { InvalidNameError } from '../errors.js';

export const NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/;

export interface TopicName {
  tenant: string;
  namespace: string;
  topic: string;
  /** `tenant/namespace/topic` */
  full: string;
}

export function checkName(what: string, value: string): void {
  if (!NAME_PATTERN.test(value)) {
    throw new InvalidNameError(`${what} ${JSON.stringify(value)} is invalid: use 1-128 characters of letters, digits, '_', '.', '-', starting with a letter or digit`);
  }
}

export function topicName(tenant: string, namespace: string, topic: string): TopicName {
  checkName('tenant', tenant);
  checkName('namespace', namespace);
  checkName('topic', topic);
  return { tenant, namespace, topic, full: `${tenant}/${namespace}/${topic}` };
}

/** Parses `tenant/namespace/topic` (or a bare topic in public/default). */
export function parseTopicName(full: string): TopicName {
  const parts = full.split('/');
  if (parts.length === 1) return topicName('public', 'default', parts[0]!);
  if (parts.length !== 3) throw new InvalidNameError(`topic ${JSON.stringify(full)} must be tenant/namespace/topic`);
  return topicName(parts[0]!, parts[1]!, parts[2]!);
}
