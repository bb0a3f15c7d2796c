import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { stringify } from 'yaml';
import {
  Parameter_Type,
  Parameter_Validation_Type,
  ParameterSchema,
  type Parameter as ProtoParameter,
  type Specification as ProtoSpecification,
  SpecificationSchema,
} from '../gen/opencdc/sdk/v1/specification_pb.js';
import type { Parameter, Parameters, ParameterType, ValidationType } from '../params/types.js';
import type { Features, Specification } from './types.js';

const TYPES: { readonly [t in ParameterType]: Parameter_Type } = {
  string: Parameter_Type.STRING,
  int: Parameter_Type.INT,
  float: Parameter_Type.FLOAT,
  bool: Parameter_Type.BOOL,
  file: Parameter_Type.FILE,
  duration: Parameter_Type.DURATION,
};

const VALIDATIONS: { readonly [t in ValidationType]: Parameter_Validation_Type } = {
  required: Parameter_Validation_Type.REQUIRED,
  'greater-than': Parameter_Validation_Type.GREATER_THAN,
  'less-than': Parameter_Validation_Type.LESS_THAN,
  inclusion: Parameter_Validation_Type.INCLUSION,
  exclusion: Parameter_Validation_Type.EXCLUSION,
  regex: Parameter_Validation_Type.REGEX,
};

function invert<K extends string, V extends number>(m: { readonly [k in K]: V }): Map<V, K> {
  return new Map(Object.entries(m).map(([k, v]) => [v as V, k as K]));
}
const TYPE_NAMES = invert(TYPES);
const VALIDATION_NAMES = invert(VALIDATIONS);

function paramToProto(p: Parameter): ProtoParameter {
  return create(ParameterSchema, {
    default: p.default,
    description: p.description,
    type: TYPES[p.type],
    validations: p.validations.map((v) => ({ type: VALIDATIONS[v.type], value: v.value })),
  });
}

function paramsToProto(ps: Parameters): { [name: string]: ProtoParameter } {
  const out: { [name: string]: ProtoParameter } = {};
  for (const name of Object.keys(ps).sort()) out[name] = paramToProto(ps[name]!);
  return out;
}

/** The specification as its proto message (`opencdc.sdk.v1.Specification`). */
export function specificationToProto(spec: Specification): ProtoSpecification {
  const f = spec.features;
  return create(SpecificationSchema, {
    name: spec.name,
    summary: spec.summary,
    description: spec.description,
    version: spec.version,
    author: spec.author,
    sourceParams: paramsToProto(spec.sourceParams),
    destinationParams: paramsToProto(spec.destinationParams),
    features: {
      ...(f.source
        ? {
            source: {
              multipleCollections: f.source.multipleCollections ?? false,
              ...(f.source.cdc ? { cdc: { ...f.source.cdc } } : {}),
              ...(f.source.longPolling ? { longPolling: { ...f.source.longPolling } } : {}),
              resume: f.source.resume ?? false,
            },
          }
        : {}),
      ...(f.destination
        ? {
            destination: {
              multipleCollections: f.destination.multipleCollections ?? false,
              idempotentWrites: f.destination.idempotentWrites ?? false,
            },
          }
        : {}),
    },
  });
}

function paramsFromProto(ps: { [name: string]: ProtoParameter }): Parameters {
  const out: Parameters = {};
  for (const name of Object.keys(ps).sort()) {
    const p = ps[name]!;
    const type = TYPE_NAMES.get(p.type);
    if (type === undefined) throw new Error(`parameter ${name}: unknown type ${p.type}`);
    out[name] = {
      type,
      description: p.description,
      default: p.default,
      validations: p.validations.map((v) => {
        const vt = VALIDATION_NAMES.get(v.type);
        if (vt === undefined) throw new Error(`parameter ${name}: unknown validation ${v.type}`);
        return { type: vt, value: v.value };
      }),
    };
  }
  return out;
}

/** The inverse of {@link specificationToProto}. */
export function specificationFromProto(m: ProtoSpecification): Specification {
  const features: Features = {};
  const s = m.features?.source;
  if (s) {
    features.source = {};
    if (s.multipleCollections) features.source.multipleCollections = true;
    if (s.cdc) features.source.cdc = { snapshot: s.cdc.snapshot, resume: s.cdc.resume };
    if (s.longPolling)
      features.source.longPolling = {
        snapshot: s.longPolling.snapshot,
        resume: s.longPolling.resume,
      };
    if (s.resume) features.source.resume = true;
  }
  const d = m.features?.destination;
  if (d) {
    features.destination = {};
    if (d.multipleCollections) features.destination.multipleCollections = true;
    if (d.idempotentWrites) features.destination.idempotentWrites = true;
  }
  return {
    name: m.name,
    summary: m.summary,
    description: m.description,
    version: m.version,
    author: m.author,
    sourceParams: paramsFromProto(m.sourceParams),
    destinationParams: paramsFromProto(m.destinationParams),
    features,
  };
}

/** Protobuf binary encoding of the specification. */
export function specificationToBinary(spec: Specification): Uint8Array {
  return toBinary(SpecificationSchema, specificationToProto(spec));
}

export function specificationFromBinary(bytes: Uint8Array): Specification {
  return specificationFromProto(fromBinary(SpecificationSchema, bytes));
}

/**
 * A plain, deterministic object form (parameters sorted by name, features normalized), the
 * shape of the `Specification` type: what JSON and YAML output contain.
 */
export function specificationToObject(spec: Specification): Specification {
  return specificationFromProto(specificationToProto(spec));
}

/** JSON text of the specification (deterministic: stable key order). */
export function specificationToJSON(spec: Specification, indent = 2): string {
  return JSON.stringify(specificationToObject(spec), null, indent);
}

/** YAML text of the specification (deterministic: stable key order). */
export function specificationToYAML(spec: Specification): string {
  return stringify(specificationToObject(spec), { lineWidth: 0 });
}
