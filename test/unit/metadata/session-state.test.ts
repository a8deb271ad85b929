// The session state machine: suspended sessions can resume; expired and closed are final.
import { describe, expect, it } from 'vitest';
import { nextSessionState, type SessionInput, type SessionState } from '../../../metadata/index.js';

describe('session state machine', () => {
  const cases: Array<[SessionState, SessionInput, SessionState]> = [
    ['alive', 'confirmed', 'alive'],
    ['alive', 'overdue', 'suspended'],
    ['suspended', 'confirmed', 'alive'],
    ['suspended', 'overdue', 'suspended'],
    ['alive', 'lost', 'expired'],
    ['suspended', 'lost', 'expired'],
    ['alive', 'closed', 'closed'],
    ['suspended', 'closed', 'closed'],
    ['expired', 'confirmed', 'expired'],
    ['expired', 'closed', 'expired'],
    ['closed', 'confirmed', 'closed'],
    ['closed', 'lost', 'closed'],
  ];
  it.each(cases)('%s + %s -> %s', (from, input, to) => {
    expect(nextSessionState(from, input)).toBe(to);
  });
});
