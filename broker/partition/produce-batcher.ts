// Coalesces anonymous messages of concurrent produce calls on one partition: while an entry is being
// written, new messages gather and go out together as the next entry (bounded by bytes and count).
import { encodeMessageBatch, type MessageInput } from '../../protocol/index.js';
import type { ManagedLedger, Position } from '../managed-ledger/index.js';

export const MAX_BATCH_BYTES = 4 * 1024 * 1024;
export const MAX_BATCH_COUNT = 10_000;

interface Waiting {
  messages: MessageInput[];
  bytes: number;
  resolve: (r: { position: Position; firstIndex: number }) => void;
  reject: (err: Error) => void;
}

export class ProduceBatcher {
  private waiting: Waiting[] = [];
  private writing = false;

  constructor(private readonly ml: ManagedLedger, private readonly onStored: (entryBytes: number, messages: number) => void) {}

  /** Resolves with the entry holding `messages` and the batch index of the first of them. */
  add(messages: MessageInput[]): Promise<{ position: Position; firstIndex: number }> {
    let bytes = 0;
    for (const m of messages) bytes += m.value.length + (m.key?.length ?? 0) + 64;
    return new Promise((resolve, reject) => {
      this.waiting.push({ messages, bytes, resolve, reject });
      if (!this.writing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.writing = true;
    while (this.waiting.length > 0) {
      const group: Waiting[] = [];
      let bytes = 0;
      let count = 0;
      while (this.waiting.length > 0) {
        const next = this.waiting[0]!;
        if (group.length > 0 && (bytes + next.bytes > MAX_BATCH_BYTES || count + next.messages.length > MAX_BATCH_COUNT)) break;
        group.push(this.waiting.shift()!);
        bytes += next.bytes;
        count += next.messages.length;
      }
      const all = group.flatMap((g) => g.messages);
      const parts = encodeMessageBatch({ publishTime: Date.now() }, all);
      const entry = Buffer.concat(parts);
      try {
        const position = await this.ml.append(entry);
        this.onStored(entry.length, all.length);
        let index = 0;
        for (const g of group) {
          g.resolve({ position, firstIndex: index });
          index += g.messages.length;
        }
      } catch (err) {
        for (const g of group) g.reject(err as Error);
      }
    }
    this.writing = false;
  }
}
