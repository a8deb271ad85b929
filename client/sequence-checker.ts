// A ready-made consumer interceptor that checks sequence ids per producer and partition, as stored in the log:
// a jump forward is a gap (messages missing), a sequence id seen before at a later position is a duplicate
// stored twice. Seeing a message again at the same or an earlier position is a redelivery (at-least-once), which
// is counted but is no error. Messages without sequence ids are ignored.
import type { ConsumerInterceptor } from './interceptors.js';
import type { Message } from './message.js';

export interface SequenceGap {
  producer: string;
  partition: number;
  /** The sequence id that should have come next. */
  expected: number;
  /** The one that came. */
  got: number;
}

export interface SequenceDuplicate {
  producer: string;
  partition: number;
  sequenceId: number;
  /** Where it was seen first, and where again (opaque ids). */
  first: string;
  again: string;
}

interface Track {
  lastSequenceId: number;
  lastId: Message['id'];
  ids: Map<number, Message['id']>;
}

export class SequenceChecker implements ConsumerInterceptor {
  readonly gaps: SequenceGap[] = [];
  readonly duplicates: SequenceDuplicate[] = [];
  redeliveries = 0;
  checked = 0;
  private readonly tracks = new Map<string, Track>();

  /** `remember`: sequence ids per producer kept for naming duplicates (older ones are still detected). */
  constructor(private readonly remember = 100_000) {}

  onReceive(message: Message): Message {
    if (message.sequenceId < 0 || message.producerName === '') return message;
    this.checked++;
    const k = `${message.producerName}\u0000${message.partition}`;
    const track = this.tracks.get(k);
    if (!track) {
      this.tracks.set(k, { lastSequenceId: message.sequenceId, lastId: message.id, ids: new Map([[message.sequenceId, message.id]]) });
      return message;
    }
    if (message.sequenceId <= track.lastSequenceId) {
      const first = track.ids.get(message.sequenceId);
      if (message.id.compareTo(track.lastId) > 0 || (first !== undefined && !first.equals(message.id))) {
        this.duplicates.push({ producer: message.producerName, partition: message.partition, sequenceId: message.sequenceId, first: String(first ?? 'earlier'), again: message.id.toString() });
      } else {
        this.redeliveries++;
      }
      return message;
    }
    if (message.sequenceId > track.lastSequenceId + 1) {
      this.gaps.push({ producer: message.producerName, partition: message.partition, expected: track.lastSequenceId + 1, got: message.sequenceId });
    }
    track.lastSequenceId = message.sequenceId;
    track.lastId = message.id;
    track.ids.set(message.sequenceId, message.id);
    if (track.ids.size > this.remember) track.ids.delete(track.ids.keys().next().value!);
    return message;
  }

  /** True while no gap and no duplicate was seen. */
  get ok(): boolean {
    return this.gaps.length === 0 && this.duplicates.length === 0;
  }
}
