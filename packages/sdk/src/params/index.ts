export {
  type ConfigOf,
  type ConfigShape,
  defineConfig,
  type RawConfig,
  type WildcardValue,
} from './config.js';
export { formatDuration, parseDuration } from './duration.js';
export {
  type BaseOptions,
  type BoolOptions,
  type DurationOptions,
  type FileOptions,
  type ListOptions,
  type NumberOptions,
  type ParamDef,
  type ParamKind,
  type ParseResult,
  type Presence,
  type PresenceOf,
  param,
  type StringOptions,
} from './param.js';
export type {
  ConfigSchema,
  Parameter,
  Parameters,
  ParameterType,
  Validation,
  ValidationType,
} from './types.js';
