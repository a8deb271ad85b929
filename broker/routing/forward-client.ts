// Calls another broker's internal routes (HTTP, JSON). Errors come back as RemoteBrokerError with the
// other broker's code, so the caller answers its client as if it had failed here; a broker that
// cannot be reached is a retriable PartitionUnavailableError.
import { PartitionUnavailableError, RemoteBrokerError } from '../errors.js';

export async function forward<T>(baseUrl: string, method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown, timeoutMs = 40_000): Promise<T> {
  let res: Response;
  try {
    res = await fetch(baseUrl + path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    throw new PartitionUnavailableError(`broker at ${baseUrl} cannot be reached: ${(err as Error).message}`, { cause: err });
  }
  const text = await res.text();
  const json = text ? (JSON.parse(text) as unknown) : undefined;
  if (res.status >= 200 && res.status < 300) return json as T;
  const error = (json as { error?: { code?: string; message?: string } } | undefined)?.error;
  throw new RemoteBrokerError(error?.code ?? 'INTERNAL', `${baseUrl}: ${error?.message ?? `status ${res.status}`}`, res.status === 503, res.status);
}
