/** What every built-in shares: Conduit's spec shape, its schema parameters and per-record errors. */
import type { OpenCDCRecord } from '@opencdc-ts/commons';
import {
  ConfigError,
  type ConfigOf,
  type ConfigShape,
  compileTemplate,
  defineConfig,
  defineProcessor,
  type FieldReference,
  FieldReferenceError,
  type ProcessedRecord,
  type Processor,
  type ProcessorContext,
  type ProcessorInstance,
  parseReference,
  processorMiddlewareParams,
  type Render,
  refuseSchemaTrue,
  TemplateSyntaxError,
} from '@opencdc-ts/sdk';

/**
 * Conduit's processor sdk adds these to every built-in (schema decoding/encoding through a schema
 * registry). The sdk's `processorMiddlewareParams` and `refuseSchemaTrue` rule applies (one rule for every processor
 * here): accepted so Conduit pipeline files validate, default false, and true refused as there
 * is no schema registry yet. (Conduit's default is true, except for filter and error.)
 */
function schemaParams() {
  const p = processorMiddlewareParams;
  return {
    'sdk.schema.decode.key.enabled': p['sdk.schema.decode.key.enabled'],
    'sdk.schema.decode.payload.enabled': p['sdk.schema.decode.payload.enabled'],
    'sdk.schema.encode.key.enabled': p['sdk.schema.encode.key.enabled'],
    'sdk.schema.encode.payload.enabled': p['sdk.schema.encode.payload.enabled'],
  } as const;
}

type WithSchema<S extends ConfigShape> = S & ReturnType<typeof schemaParams>;

export interface BuiltinDefinition<S extends ConfigShape> {
  name: string;
  summary: string;
  description: string;
  params: S;
  create(
    config: ConfigOf<WithSchema<S>>,
    ctx: ProcessorContext,
  ): Promise<ProcessorInstance> | ProcessorInstance;
}

/** The version every built-in reports: Conduit's version of the processor it follows. */
export const BUILTIN_VERSION = 'v0.1.0';

export function builtin<const S extends ConfigShape>(def: BuiltinDefinition<S>): Processor {
  const config = defineConfig({
    ...def.params,
    ...schemaParams(),
  } as WithSchema<S>);
  return defineProcessor({
    name: def.name,
    summary: def.summary,
    description: def.description,
    version: BUILTIN_VERSION,
    author: 'opencdc-ts (after Conduit by Meroxa, Inc.)',
    config,
    create: (c, ctx) => {
      refuseSchemaTrue(c as { [name: string]: unknown });
      return def.create(c as ConfigOf<WithSchema<S>>, ctx);
    },
  }) as Processor;
}

/**
 * An instance that handles each record on its own: a thrown error is that record's error (the
 * others go on), unlike Conduit, which stops the batch at the first failing record.
 */
export function perRecord(
  fn: (record: OpenCDCRecord) => ProcessedRecord,
  teardown?: () => void | Promise<void>,
): ProcessorInstance {
  return {
    process(records) {
      const out: ProcessedRecord[] = new Array(records.length);
      for (let i = 0; i < records.length; i++) {
        try {
          out[i] = fn(records[i]!);
        } catch (e) {
          out[i] = { error: e instanceof Error ? e : new Error(String(e)) };
        }
      }
      return out;
    },
    ...(teardown ? { teardown } : {}),
  };
}

/** Parses a field reference setting, as a `ConfigError` on that parameter when invalid. */
export function reference(parameter: string, text: string): FieldReference {
  try {
    return parseReference(text);
  } catch (e) {
    if (!(e instanceof FieldReferenceError)) throw e;
    throw new ConfigError({
      parameter,
      value: text,
      rule: e.message,
      fix: 'write a field reference such as .Payload.After.name, .Key.id or .Metadata["opencdc.collection"]',
    });
  }
}

/** Compiles a Go template setting, as a `ConfigError` on that parameter when invalid. */
export function template(parameter: string, text: string): Render {
  try {
    return compileTemplate(text, { controlStructures: true }).render;
  } catch (e) {
    if (!(e instanceof TemplateSyntaxError)) throw e;
    throw new ConfigError({
      parameter,
      value: text,
      rule: `template syntax: ${e.message}`,
      fix: 'write a Go template such as {{ .Payload.After.name }}',
    });
  }
}

/** A configuration problem of a built-in found after parsing (Conduit's Configure checks). */
export function invalid(parameter: string, value: string, rule: string, fix: string): never {
  throw new ConfigError({ parameter, value, rule, fix });
}

export const REFERENCE_DOC =
  'See Conduit\'s "Referencing fields": .Position, .Operation, .Metadata.key, .Metadata["a.b"], .Key.id, .Payload.Before.x, .Payload.After.y.z.';
