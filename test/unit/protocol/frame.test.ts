// Frame encoding: the head layout and payload parts passed through by identity.
import { describe, it, expect } from 'vitest';
import { DEFAULT_MAX_FRAME_SIZE, encodeFrame, encodeFrameToBuffer } from '../../../protocol/frame.js';
import { Command, commandName } from '../../../protocol/command.js';

describe('encodeFrame', () => {
  it('returns a 12-byte head followed by the very same part buffers', () => {
    const a = Buffer.from('abc');
    const b = Buffer.from('defgh');
    const out = encodeFrame(0x0101, 0x0001, 0x01020304, [a, b]);
    expect(out).toHaveLength(3);
    expect(out[0].toString('hex')).toBe('0000001001010001' + '01020304');
    expect(out[1]).toBe(a);
    expect(out[2]).toBe(b);
  });

  it('concatenates into one buffer for small frames', () => {
    expect(encodeFrameToBuffer(0x0001, 0, 0xffffffff, [Buffer.from('x')]).toString('hex')).toBe('00000009' + '0001' + '0000' + 'ffffffff' + '78');
    expect(encodeFrameToBuffer(2, 3, 4).toString('hex')).toBe('00000008000200030000000' + '4');
  });

  it('defaults the maximum frame size to 5 MiB plus 64 KiB of header room', () => {
    expect(DEFAULT_MAX_FRAME_SIZE).toBe(5 * 1024 * 1024 + 65_536);
  });

  it('has one name per command code, responses at request + 1', () => {
    const codes = Object.values(Command);
    expect(new Set(codes).size).toBe(codes.length);
    expect(commandName(0x0101)).toBe('ADD_ENTRY');
    expect(commandName(0x0000)).toBeUndefined();
    for (const [name, code] of Object.entries(Command)) {
      if (name.endsWith('_RESPONSE')) expect(Command[name.slice(0, -'_RESPONSE'.length) as keyof typeof Command] + 1).toBe(code);
    }
  });
});
