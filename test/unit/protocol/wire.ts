// Test helper: an encoder's output as one hex string and as the single frame a FrameParser reads back from it.
import { expect } from 'vitest';
import { FrameParser } from '../../../protocol/frame-parser.js';
import type { Frame } from '../../../protocol/frame.js';

/** Concatenates an encoder's parts and parses them back into exactly one frame. */
export function wire(parts: Buffer[]): { hex: string; frame: Frame } {
  const bytes = Buffer.concat(parts);
  const frames = new FrameParser().push(bytes);
  expect(frames).toHaveLength(1);
  return { hex: bytes.toString('hex'), frame: frames[0] };
}
