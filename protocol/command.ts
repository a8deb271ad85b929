// The command codes of the `command:u16be` frame header field: one table for every Strata frame.
// 0x0000 is never sent; 0x0001–0x00FF are shared commands; 0x0100–0x01FF broker↔bookie; 0x0200+ broker↔client.
// A response's code is its request's code + 1.

export const Command = {
  /** An error answer to a request (requestId ≠ 0) or about the connection itself (requestId 0). */
  ERROR: 0x0001,

  ADD_ENTRY: 0x0101,
  ADD_ENTRY_RESPONSE: 0x0102,
  READ_ENTRY: 0x0103,
  READ_ENTRY_RESPONSE: 0x0104,
  READ_LAC: 0x0105,
  READ_LAC_RESPONSE: 0x0106,
  FENCE: 0x0107,
  FENCE_RESPONSE: 0x0108,
  DELETE_LEDGER: 0x0109,
  DELETE_LEDGER_RESPONSE: 0x010a,
  INFO: 0x010b,
  INFO_RESPONSE: 0x010c,
} as const;

export type CommandName = keyof typeof Command;
export type CommandCode = (typeof Command)[CommandName];

const namesByCode = new Map<number, CommandName>(
  (Object.keys(Command) as CommandName[]).map((name) => [Command[name], name]),
);

/** The name of a command code, or `undefined` for a code this version does not know. */
export function commandName(code: number): CommandName | undefined {
  return namesByCode.get(code);
}
