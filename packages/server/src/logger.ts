import { pino, type Logger } from 'pino';

/** Paths pino replaces with "[redacted]" wherever they appear in a log object. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
  '*.token',
  '*.password',
  '*.secret',
  '*.bot_token',
  '*.api_key',
  '*.auth_token',
  '*.secret_access_key',
];

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: { service: 'tradewatch' },
      // A request is logged by method and path only: query strings may carry tokens (adapters).
      serializers: {
        req: (req: { method?: string; url?: string }) => ({
          method: req.method,
          url: String(req.url ?? '').split('?')[0],
        }),
      },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination as pino.DestinationStream | undefined,
  );
}
