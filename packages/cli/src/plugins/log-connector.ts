import type { OpenCDCRecord } from '@opencdc-ts/commons';
import {
  ConfigError,
  ConfigErrors,
  type ConfigSchema,
  type Connector,
  type ConnectorContext,
  type Destination,
  type Parameters,
} from '@opencdc-ts/sdk';
import { jsonReplacer } from './record-map.js';

type Level = 'debug' | 'info' | 'warn' | 'error';
const LEVELS: readonly Level[] = ['debug', 'info', 'warn', 'error'];

export interface LogConfig {
  level: Level;
  message: string;
}

const parameters: Parameters = {
  level: {
    type: 'string',
    description: 'Log level of each record line.',
    default: 'info',
    validations: [{ type: 'inclusion', value: LEVELS.join(',') }],
  },
  message: {
    type: 'string',
    description: 'Message of each record line.',
    default: 'record',
    validations: [],
  },
};

// Hand-written (two parameters): keeps the built-in independent of the sdk's builder.
const config: ConfigSchema<LogConfig> = {
  parameters,
  parse(raw) {
    const errors: ConfigError[] = [];
    for (const k of Object.keys(raw)) {
      if (!(k in parameters)) {
        errors.push(
          new ConfigError({
            parameter: k,
            value: raw[k],
            rule: 'known parameter',
            fix: `remove it; known: ${Object.keys(parameters).join(', ')}`,
          }),
        );
      }
    }
    const level = (raw.level?.trim() || 'info').toLowerCase();
    if (!LEVELS.includes(level as Level)) {
      errors.push(
        new ConfigError({
          parameter: 'level',
          value: raw.level,
          rule: `inclusion [${LEVELS.join(', ')}]`,
          fix: 'use one of the listed levels',
        }),
      );
    }
    if (errors.length > 0) throw new ConfigErrors(errors);
    return { level: level as Level, message: raw.message?.trim() || 'record' };
  },
};

class LogDestination implements Destination {
  constructor(
    private readonly cfg: LogConfig,
    private readonly ctx: ConnectorContext,
  ) {}
  async open(): Promise<void> {}
  async write(records: readonly OpenCDCRecord[]): Promise<void> {
    for (const r of records) {
      this.ctx.logger[this.cfg.level](this.cfg.message, {
        record: JSON.parse(JSON.stringify(r, jsonReplacer)),
      });
    }
  }
  async teardown(): Promise<void> {}
}

/** `builtin:log`: a destination that logs each record (the default dead-letter target). */
export const logConnector: Connector<unknown, LogConfig> = {
  specification: {
    name: 'log',
    summary: 'Logs every record (built into the runtime).',
    description:
      'A destination that writes each record as a structured log line; handy as a dead-letter queue or to inspect a source.',
    version: 'builtin',
    author: 'opencdc-ts',
    sourceParams: {},
    destinationParams: parameters,
    features: { destination: { multipleCollections: true } },
  },
  destination: {
    config,
    create: (cfg, ctx) => new LogDestination(cfg, ctx),
  },
};
