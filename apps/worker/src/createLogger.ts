import { type Logger, pino } from 'pino';

/**
 * The worker's pino logger. Job lines come from child loggers (`job`, `jobId`, `userId`); the email secret
 * is redacted wherever it could appear.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service: 'worker' },
    redact: { paths: ['secret', '*.secret', '*.*.secret', 'data.secret'], censor: '[redacted]' },
  };
  return destination ? pino(options, destination) : pino(options);
}
