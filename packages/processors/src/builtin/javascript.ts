/**
 * `custom.javascript`: the scripts Conduit runs, in an isolated `node:vm` context (no `require`,
 * `process` or globals of the host). A script defines `function process(record)` and returns the
 * record (changed or new) or `null` to filter it. The record has Go's field names: `Position`,
 * `Operation`, `Metadata` (an object of strings), `Key`, `Payload.Before`, `Payload.After`; raw
 * data is a `Uint8Array` (indexable bytes, like Go's []byte in goja), structured data an object.
 * Helpers: `Record()`, `RawData(text?)`, `StructuredData()` and `logger` (zerolog's chain:
 * `logger.Info().Str("k", v).Msg("...")`).
 */
import { readFileSync } from 'node:fs';
import { types } from 'node:util';
import { createContext, Script } from 'node:vm';
import { type Data, isOperation, Metadata, type OpenCDCRecord } from '@opencdc-ts/commons';
import { type Logger, type ProcessedRecord, param } from '@opencdc-ts/sdk';
import { builtin, invalid, perRecord } from './define.js';

interface JSRecord {
  Position: Uint8Array;
  Operation: string;
  Metadata: { [k: string]: string };
  Key: unknown;
  Payload: { Before: unknown; After: unknown };
}

type Obj = { [k: string]: unknown };

/** A copy the script may change freely (inputs are shared with the runtime). */
function copy(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(copy);
  if (v instanceof Uint8Array) return v;
  const out: Obj = {};
  for (const k in v as Obj) out[k] = copy((v as Obj)[k]);
  return out;
}

function toJS(r: OpenCDCRecord): JSRecord {
  const metadata: { [k: string]: string } = {};
  for (const [k, v] of r.metadata) metadata[k] = v;
  return {
    Position: r.position,
    Operation: r.operation,
    Metadata: metadata,
    Key: copy(r.key),
    Payload: { Before: copy(r.payload.before), After: copy(r.payload.after) },
  };
}

/** Bytes made inside the script's context are another realm's Uint8Array: rewrap them. */
function bytes(v: unknown): Uint8Array | undefined {
  if (!types.isUint8Array(v)) return undefined;
  const u: Uint8Array = v;
  return Object.getPrototypeOf(u) === Uint8Array.prototype
    ? u
    : new Uint8Array(u.buffer, u.byteOffset, u.byteLength);
}

/** Conduit keeps raw data (`RawData`) and structured data (objects); anything else is null. */
function fromJSData(v: unknown): Data | null {
  const b = bytes(v);
  if (b) return b;
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) return v as Data;
  return null;
}

function fromJS(v: unknown): ProcessedRecord {
  if (v === null || v === undefined) return { filter: true };
  if (typeof v !== 'object')
    throw new Error(`js function expected to return a record, but returned: ${typeof v}`);
  const j = v as Partial<JSRecord>;
  if (!isOperation(j.Operation))
    throw new Error(
      `could not unmarshal operation: unknown operation ${JSON.stringify(j.Operation ?? '')}`,
    );
  const metadata = new Metadata();
  for (const [k, x] of Object.entries(j.Metadata ?? {})) metadata.set(k, String(x));
  return {
    position: bytes(j.Position) ?? new Uint8Array(),
    operation: j.Operation,
    metadata,
    key: fromJSData(j.Key),
    payload: { before: fromJSData(j.Payload?.Before), after: fromJSData(j.Payload?.After) },
  };
}

/** zerolog's event chain (`logger.Info().Str("k", "v").Msg("text")`) over the sdk logger. */
function zerolog(logger: Logger): object {
  const level = (log: (msg: string, fields?: Obj) => void) => () => {
    const fields: Obj = {};
    const event: object = new Proxy(
      {},
      {
        get(_, name) {
          if (name === 'Msg') return (msg: unknown) => log(String(msg ?? ''), fields);
          if (name === 'Msgf')
            return (f: unknown, ...args: unknown[]) => {
              let i = 0;
              log(
                String(f).replace(/%[a-zA-Z]/g, () => String(args[i++])),
                fields,
              );
            };
          if (name === 'Send') return () => log('', fields);
          if (name === 'Err')
            return (e: unknown) => {
              fields.error = String(e);
              return event;
            };
          return (k: unknown, val: unknown) => {
            fields[String(k)] = val;
            return event;
          };
        },
      },
    );
    return event;
  };
  const debug = (m: string, f?: Obj) => logger.debug(m, f);
  return {
    Trace: level(debug),
    Debug: level(debug),
    Info: level((m, f) => logger.info(m, f)),
    Warn: level((m, f) => logger.warn(m, f)),
    Error: level((m, f) => logger.error(m, f)),
  };
}

export const customJavascript = builtin({
  name: 'custom.javascript',
  summary: 'Run custom JavaScript code.',
  description:
    'Runs a JavaScript function `process(record)` on each record, in an isolated context. The record has Go\'s field names (`Position`, `Operation`, `Metadata`, `Key`, `Payload.Before`, `Payload.After`); return it (changed), a new `Record()`, or `null` to filter it. Helpers: `Record()`, `RawData(text)`, `StructuredData()`, `logger` (zerolog style: `logger.Info().Msg("...")`).',
  params: {
    script: param.string({
      description:
        'JavaScript code defining `function process(record)`, which returns a record or null (filtered). Give this or `script.path`.',
    }),
    'script.path': param.string({
      description: 'The path of a .js file with the code (instead of `script`).',
    }),
  },
  create(config, ctx) {
    const { script, 'script.path': path } = config;
    let src: string;
    if (script && path)
      invalid(
        'script',
        script,
        'only one of: [script, script.path] should be provided',
        'remove script or script.path',
      );
    if (script) src = script;
    else if (path) {
      try {
        src = readFileSync(path, 'utf8');
      } catch (e) {
        invalid(
          'script.path',
          path,
          `a readable file (${(e as Error).message})`,
          'point script.path at the script file',
        );
      }
    } else
      return invalid(
        'script',
        undefined as never,
        'one of: [script, script.path] needs to be provided',
        'give the script inline (script) or as a file (script.path)',
      );
    const encoder = new TextEncoder();
    const sandbox = createContext({
      logger: zerolog(ctx.logger),
      Record: function Record() {
        return {
          Position: null,
          Operation: '',
          Metadata: {},
          Key: null,
          Payload: { Before: null, After: null },
        };
      },
      RawData: function RawData(text?: unknown) {
        return text === undefined ? new Uint8Array() : encoder.encode(String(text));
      },
      StructuredData: function StructuredData() {
        return {};
      },
    });
    let fn: unknown;
    try {
      new Script(src!, { filename: path || 'custom.javascript' }).runInContext(sandbox);
      fn = new Script('typeof process === "function" ? process : undefined').runInContext(sandbox);
    } catch (e) {
      invalid(
        path ? 'script.path' : 'script',
        path || src!,
        `a script that compiles and runs (${(e as Error).message})`,
        'fix the script',
      );
    }
    if (typeof fn !== 'function')
      invalid(
        path ? 'script.path' : 'script',
        path || src!,
        'a script defining function process(record)',
        'define function process(record) { ... return record; }',
      );
    const process = fn as (r: JSRecord) => unknown;
    return perRecord((r) => fromJS(process(toJS(r))));
  },
});
