// The public surface of protocol/: framing, connections, request pipelining and the bookie command codec.
// Other parts import only from here; siblings and tests may import the files directly.
export {
  ProtocolError,
  FrameTooLargeError,
  MalformedFrameError,
  ChecksumMismatchError,
  ConnectionClosedError,
  RequestTimeoutError,
  TooManyPendingRequestsError,
  RemoteError,
} from './errors.js';
export {
  LENGTH_PREFIX_SIZE,
  FRAME_HEADER_SIZE,
  MAX_ENTRY_SIZE,
  DEFAULT_MAX_FRAME_SIZE,
  encodeFrame,
  encodeFrameToBuffer,
  type Frame,
} from './frame.js';
export { Command, commandName, type CommandName, type CommandCode } from './command.js';
export { FrameParser, type FrameParserOptions, type FrameParserState } from './frame-parser.js';
export { FrameConnection, type FrameConnectionOptions, type FrameConnectionState } from './frame-connection.js';
export { PendingRequests, type PendingRequestsOptions, type PendingRequest } from './pending-requests.js';
export {
  CONNECTION_REQUEST_ID,
  MAX_ERROR_MESSAGE_CHARS,
  encodeError,
  decodeError,
  type ErrorFrame,
} from './error-frame.js';
export * from './bookie/index.js';
export { keyHash, murmur3, partitionForKey } from './key-hash.js';
export { checkMessageFraming, messageKeyHashes } from './message-key-hashes.js';
export { MalformedBatchError, UnsupportedBatchFormatError, InvalidMessageIdError } from './message-errors.js';
export {
  MAX_PRODUCER_NAME_BYTES,
  MAX_BATCH_MESSAGES,
  MAX_KEY_BYTES,
  MAX_PROPERTIES,
  MAX_PROPERTY_BYTES,
  MAX_BATCH_PAYLOAD_SIZE,
  MIN_MESSAGE_SIZE,
} from './message-batch-limits.js';
export {
  MESSAGE_BATCH_MAGIC,
  MESSAGE_BATCH_VERSION,
  CompressionCodec,
  encodeMessageBatch,
  encodeMessageBatchHeader,
  decodeMessageBatchHeader,
  type CompressionCodecId,
  type MessageBatchInit,
  type MessageBatchHeader,
  type MessageBatchView,
} from './message-batch.js';
export { encodeMessages, decodeMessages, type Message, type MessageInput } from './batch-payload.js';
export { batchPayload, compressPayload, payloadFormatProblem, SUPPORTED_CODECS } from './batch-compression.js';
export {
  MESSAGE_ID_VERSION,
  MESSAGE_ID_LENGTH,
  encodeMessageId,
  decodeMessageId,
  compareMessageIds,
  compareMessagePositions,
  type MessagePosition,
  type MessageId,
} from './message-id.js';
export * from './client/index.js';
