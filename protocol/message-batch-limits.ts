// The limits of the message batch format (message-batch.ts), shared by client and broker: the encoders enforce
// them with RangeError, the decoders with MalformedBatchError.
import { MAX_ENTRY_SIZE } from './frame.js';

/** Producer name: at most 256 UTF-8 bytes. */
export const MAX_PRODUCER_NAME_BYTES = 256;
/** Messages per batch: 1 … 65,536, so batch indexes fit 16 bits. */
export const MAX_BATCH_MESSAGES = 65_536;
/** Message key: at most 65,535 UTF-8 bytes (64 KiB − 1, a u16 length). */
export const MAX_KEY_BYTES = 0xffff;
/** Properties per message: at most 1,024; each name and value at most 65,535 UTF-8 bytes. */
export const MAX_PROPERTIES = 1024;
export const MAX_PROPERTY_BYTES = 0xffff;
/** Uncompressed payload: at most 5 MiB (MAX_ENTRY_SIZE); an uncompressed entry must also fit MAX_ENTRY_SIZE whole. */
export const MAX_BATCH_PAYLOAD_SIZE = MAX_ENTRY_SIZE;
/** The smallest message: mflags, eventTime, valueLen, propertyCount. */
export const MIN_MESSAGE_SIZE = 1 + 8 + 4 + 2;
