import type { ConfigSchema } from '../params/types.js';
import type { Processor, ProcessorContext, ProcessorInstance } from './contract.js';

export interface ProcessorDefinition<C> {
  /** Plugin name, e.g. `my-org.mask` (letters, digits, `-`, `_`, `.`). */
  name: string;
  summary: string;
  description: string;
  /** Semantic version, e.g. `1.2.0` (a leading `v` is accepted, as in Go modules). */
  version: string;
  author: string;
  /** Declared parameters (`defineConfig({...})`); settings are parsed with it before `create`. */
  config: ConfigSchema<C>;
  create(config: C, ctx: ProcessorContext): Promise<ProcessorInstance> | ProcessorInstance;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const VERSION = /^v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

/**
 * Builds a `Processor` whose specification takes its parameters from `config` (declared once).
 * Throws on an invalid definition (a name or version a registry would not accept).
 */
export function defineProcessor<C>(def: ProcessorDefinition<C>): Processor<C> {
  const problems: string[] = [];
  if (!NAME.test(def.name)) problems.push(`name ${JSON.stringify(def.name)} is not a simple name`);
  if (!VERSION.test(def.version))
    problems.push(`version ${JSON.stringify(def.version)} is not a semantic version`);
  if (typeof def.create !== 'function') problems.push('create is not a function');
  if (problems.length > 0)
    throw new Error(`processor ${JSON.stringify(def.name)}: ${problems.join('; ')}`);
  return {
    kind: 'processor',
    specification: {
      name: def.name,
      summary: def.summary,
      description: def.description,
      version: def.version,
      author: def.author,
      parameters: { ...def.config.parameters },
    },
    config: def.config,
    create: (config, ctx) => def.create(config, ctx),
  };
}

/** Whether a module export is a processor made by `defineProcessor` (or shaped like one). */
export function isProcessor(value: unknown): value is Processor {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { kind?: unknown }).kind === 'processor' &&
    typeof (value as { create?: unknown }).create === 'function'
  );
}
