// The logger hook of the client: any object with these methods (pino, console-like); silent by default.

export interface ClientLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

const noop = (): void => undefined;
export const silentClientLogger: ClientLogger = { debug: noop, info: noop, warn: noop, error: noop };
