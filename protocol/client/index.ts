// The client↔broker protocol: its schema, the schema-driven codec and the wire error codes.
export { clientCommands, PROTOCOL_VERSION, MIN_PROTOCOL_VERSION, type ClientCommandName, type CommandSpec, type FieldSpec, type FieldType, type CommandKind } from './schema.js';
export { encodeCommand, decodeCommand, isClientCommand, type CommandValue, type DecodedCommand, type WirePosition } from './client-codec.js';
export { wireErrors, wireErrorInfo, type WireErrorCode } from './wire-errors.js';
