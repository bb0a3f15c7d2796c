/**
 * Parameters: declared once per connector side (schema-first); the declaration yields the
 * parameter spec (for docs, UIs, the proto message) and a parser to a typed config.
 * (Types here are the contract; the implementation lives beside them.)
 */

export type ParameterType = 'string' | 'int' | 'float' | 'bool' | 'duration' | 'file';

export type ValidationType =
  | 'required'
  | 'greater-than'
  | 'less-than'
  | 'inclusion'
  | 'exclusion'
  | 'regex';

export interface Validation {
  type: ValidationType;
  /** Rule argument as text: a number, a comma list for inclusion/exclusion, a regex source. */
  value: string;
}

/** One parameter as published in the specification (Conduit's shape). */
export interface Parameter {
  type: ParameterType;
  description: string;
  /** Default as text (`''` when none). */
  default: string;
  validations: Validation[];
}

/** Parameter name (may contain `*` wildcard segments, e.g. `collections.*.weight`) to spec. */
export type Parameters = { [name: string]: Parameter };

/** A declared config: its spec and its parser. */
export interface ConfigSchema<C> {
  readonly parameters: Parameters;
  /**
   * Validates raw settings (strings, as in pipeline YAML): trims values, rejects unknown keys,
   * applies defaults (per matched wildcard instance), checks every rule and reports ALL errors
   * at once as `ConfigErrors` (each a `ConfigError` naming parameter, value, rule and fix).
   */
  parse(raw: { readonly [key: string]: string }): C;
}
