export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export interface Logger {
  /** True when debug lines are written; lets hot paths skip building them. */
  readonly debugEnabled: boolean;
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  child(component: string): Logger;
}

export interface LogSink {
  write(line: string): void;
}

/** Line-oriented logger: `time level [component] message key=value ...` to stderr. */
export function createLogger(level: LogLevel = 'info', component = 'slipway', sink: LogSink = process.stderr): Logger {
  const min = RANK[level];
  const emit = (lvl: LogLevel, message: string, fields?: Record<string, unknown>) => {
    if (RANK[lvl] < min) return;
    let line = `${new Date().toISOString()} ${lvl.toUpperCase().padEnd(5)} [${component}] ${message}`;
    if (fields) for (const [k, v] of Object.entries(fields)) line += ` ${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`;
    sink.write(line + '\n');
  };
  return {
    debugEnabled: min <= RANK.debug,
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (name) => createLogger(level, name, sink),
  };
}

export function parseLogLevel(text: string | undefined): LogLevel {
  return text && text in RANK ? (text as LogLevel) : 'info';
}
