import { describe, expect, it } from 'vitest';
import { MessageId, SequenceChecker, type Message } from '../../../client/index.js';

function message(producerName: string, sequenceId: number, entryId: number, partition = 0): Message {
  return {
    id: new MessageId(partition, 1, entryId, 0),
    topic: 't',
    partition,
    key: undefined,
    value: Buffer.alloc(0),
    properties: {},
    publishTime: 0,
    eventTime: 0,
    producerName,
    sequenceId,
    redeliveryCount: 0,
    batchSize: 1,
  };
}

describe('SequenceChecker', () => {
  it('accepts consecutive sequence ids per producer and partition, from wherever they start', () => {
    const c = new SequenceChecker();
    for (let i = 0; i < 5; i++) c.onReceive(message('a', 10 + i, i));
    for (let i = 0; i < 3; i++) c.onReceive(message('b', i, 100 + i, 1));
    expect(c.ok).toBe(true);
    expect(c.checked).toBe(8);
  });

  it('reports a jump forward as a gap', () => {
    const c = new SequenceChecker();
    c.onReceive(message('a', 0, 0));
    c.onReceive(message('a', 3, 1));
    expect(c.gaps).toEqual([{ producer: 'a', partition: 0, expected: 1, got: 3 }]);
    expect(c.ok).toBe(false);
  });

  it('counts a message seen again at its own position as a redelivery, not an error', () => {
    const c = new SequenceChecker();
    for (let i = 0; i < 3; i++) c.onReceive(message('a', i, i));
    c.onReceive(message('a', 1, 1));
    c.onReceive(message('a', 2, 2));
    expect(c.ok).toBe(true);
    expect(c.redeliveries).toBe(2);
  });

  it('reports a sequence id stored again at a later position as a duplicate', () => {
    const c = new SequenceChecker();
    for (let i = 0; i < 3; i++) c.onReceive(message('a', i, i));
    c.onReceive(message('a', 1, 7));
    expect(c.duplicates).toHaveLength(1);
    expect(c.duplicates[0]).toMatchObject({ producer: 'a', partition: 0, sequenceId: 1 });
  });

  it('ignores messages without sequence ids', () => {
    const c = new SequenceChecker();
    c.onReceive(message('', -1, 0));
    c.onReceive(message('a', -1, 1));
    expect(c.checked).toBe(0);
  });
});
