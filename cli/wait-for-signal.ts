// Server processes run until SIGTERM or SIGINT, then shut down cleanly.

export function untilTerminated(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
}
