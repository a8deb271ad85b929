// The writer's state machine: open → closing → closed, or → failed from open/closing (fenced,
// metadata lost to a recoverer, or closed for a roll). Closed and failed are final.

export type WriterState = 'open' | 'closing' | 'closed' | 'failed';
export type WriterInput = 'close' | 'closed' | 'fail';

export function nextWriterState(state: WriterState, input: WriterInput): WriterState {
  if (state === 'closed' || state === 'failed') return state;
  switch (input) {
    case 'close':
      return state === 'open' ? 'closing' : state;
    case 'closed':
      return 'closed';
    case 'fail':
      return 'failed';
  }
}
