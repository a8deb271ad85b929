// A short reason for a failed connection ("connection refused", "host not found", …) from the socket error
// under an error (fetch's `fetch failed`, the binary client's ConnectionError): one wording for every command.

export function networkReason(err: unknown): string {
  const cause = err instanceof Error ? (err.cause as NodeJS.ErrnoException | undefined) : undefined;
  switch (cause?.code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found';
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return 'connection reset';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'host unreachable';
    default:
      return cause?.message ?? (err instanceof Error ? err.message : String(err));
  }
}
