// The claim rule for an unowned partition: the live assignee claims; the broker asked claims otherwise,
// unless it is draining, when it sends the client to a live broker that is not.
import { describe, expect, it } from 'vitest';
import { decideClaim, type LiveBroker } from '../../../../broker/placement/index.js';

const broker = (id: string, draining = false): LiveBroker => ({ id, httpUrl: `http://${id}`, binaryUrl: `strata://${id}`, draining });
const p = { topic: 'public/default/t', partition: 3 };
const brokers = [broker('b1'), broker('b2'), broker('b3')];

describe('claim rule', () => {
  it('sends the client to a live assignee, and the assignee claims', () => {
    expect(decideClaim({ self: 'b1', p, assignee: 'b2', brokers })).toEqual({ kind: 'elsewhere', broker: brokers[1] });
    expect(decideClaim({ self: 'b2', p, assignee: 'b2', brokers })).toEqual({ kind: 'claim' });
  });

  it('claims when there is no assignment, or its assignee is gone or draining', () => {
    expect(decideClaim({ self: 'b1', p, assignee: undefined, brokers })).toEqual({ kind: 'claim' });
    expect(decideClaim({ self: 'b1', p, assignee: 'b9', brokers })).toEqual({ kind: 'claim' });
    expect(decideClaim({ self: 'b1', p, assignee: 'b2', brokers: [broker('b1'), broker('b2', true)] })).toEqual({ kind: 'claim' });
  });

  it('never claims on a draining broker: all of them point to the same live broker', () => {
    const view = [broker('b1'), broker('b2', true), broker('b3', true), broker('b4')];
    const fromB2 = decideClaim({ self: 'b2', p, assignee: undefined, brokers: view });
    const fromB3 = decideClaim({ self: 'b3', p, assignee: 'b2', brokers: view });
    expect(fromB2.kind).toBe('elsewhere');
    expect(fromB3).toEqual(fromB2);
    expect(['b1', 'b4']).toContain(fromB2.kind === 'elsewhere' ? fromB2.broker.id : '');
    expect(decideClaim({ self: 'b2', p, assignee: 'b2', brokers: view })).toEqual(fromB2);
    expect(decideClaim({ self: 'b2', p, assignee: 'b4', brokers: view })).toEqual({ kind: 'elsewhere', broker: view[3] });
  });

  it('is unavailable when every broker drains', () => {
    expect(decideClaim({ self: 'b1', p, assignee: undefined, brokers: [broker('b1', true)] }).kind).toBe('unavailable');
  });
});
