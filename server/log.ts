import pino from 'pino';

export type Logger = pino.Logger;

export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'pos-platform' },
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'password', 'pin', '*.password', '*.pin'], remove: true }
  });
}
