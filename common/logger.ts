// Structured logging (pino) for every process; the level comes from STRATA_LOG_LEVEL (default info).
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(name: string, bindings: Record<string, unknown> = {}): Logger {
  return pino({ name, level: process.env.STRATA_LOG_LEVEL ?? 'info', base: { pid: process.pid, ...bindings } });
}

/** A logger that drops everything, for libraries used without one. */
export const silentLogger: Logger = pino({ level: 'silent' });
