// Compression codec ids of a message batch (flags bits 0–2). NONE and LZ4 are implemented (batch-compression.ts);
// ZSTD is a reserved id.
export const CompressionCodec = { NONE: 0, LZ4: 1, ZSTD: 2 } as const;
export type CompressionCodecId = (typeof CompressionCodec)[keyof typeof CompressionCodec];
