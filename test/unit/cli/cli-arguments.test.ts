// Arguments of the HTTP tools: topic and namespace names, --property, and stdin lines in batches.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../cli/errors.js';
import { lineBatches } from '../../../cli/messaging/line-batches.js';
import { collectProperty } from '../../../cli/messaging/message-options.js';
import { parseNamespaceArgument, parseTopicArgument } from '../../../cli/topic-argument.js';

describe('topic arguments', () => {
  it('puts a bare name in public/default and keeps full names', () => {
    expect(parseTopicArgument('orders')).toEqual({ tenant: 'public', namespace: 'default', topic: 'orders', full: 'public/default/orders' });
    expect(parseTopicArgument('acme/billing/in.v-1_x').full).toBe('acme/billing/in.v-1_x');
    expect(parseNamespaceArgument('acme/billing')).toEqual({ tenant: 'acme', namespace: 'billing', full: 'acme/billing' });
  });

  it.each(['a/b', 'a/b/c/d', '', '-x', 'a/b/c d', 'a//c', 'x'.repeat(129)])('refuses %j as a topic', (raw) => {
    expect(() => parseTopicArgument(raw)).toThrow(UsageError);
  });
});

describe('--property', () => {
  it('collects key=value pairs; the value may hold "="', () => {
    expect(collectProperty('b=x=y', collectProperty('a=1'))).toEqual({ a: '1', b: 'x=y' });
    expect(collectProperty('empty=')).toEqual({ empty: '' });
    expect(() => collectProperty('=v')).toThrow(/key=value/);
    expect(() => collectProperty('novalue')).toThrow(/key=value/);
  });
});

describe('stdin line batches', () => {
  async function collect(input: PassThrough, limits = { maxMessages: 3, maxBytes: 1000, lingerMs: 5 }): Promise<string[][]> {
    const batches: string[][] = [];
    for await (const batch of lineBatches(input, limits)) batches.push(batch);
    return batches;
  }

  it('splits a piped input into full batches, every line once and in order', async () => {
    const input = new PassThrough();
    input.end('a\nb\n\nc\r\nd\ne');
    expect(await collect(input)).toEqual([['a', 'b', ''], ['c', 'd', 'e']]);
  });

  it('cuts a batch at the byte limit', async () => {
    const input = new PassThrough();
    input.end('xxxx\nyyyy\nzz\n');
    expect(await collect(input, { maxMessages: 10, maxBytes: 8, lingerMs: 5 })).toEqual([['xxxx', 'yyyy'], ['zz']]);
  });

  it('sends a typed line after the linger instead of waiting for a full batch', async () => {
    const input = new PassThrough();
    const batches = lineBatches(input, { maxMessages: 100, maxBytes: 1000, lingerMs: 5 });
    input.write('first\n');
    expect((await batches.next()).value).toEqual(['first']);
    input.write('second\nthird\n');
    expect((await batches.next()).value).toEqual(['second', 'third']);
    input.end();
    expect((await batches.next()).done).toBe(true);
  });
});
