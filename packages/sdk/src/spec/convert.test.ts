import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { memoryConnector } from '../acceptance/memory.fixture.js';
import {
  Parameter_Type,
  Parameter_Validation_Type,
} from '../gen/opencdc/sdk/v1/specification_pb.js';
import { defineConfig } from '../params/config.js';
import { param } from '../params/param.js';
import {
  specificationFromBinary,
  specificationFromProto,
  specificationToJSON,
  specificationToObject,
  specificationToProto,
  specificationToYAML,
} from './convert.js';
import type { Specification } from './types.js';

const spec: Specification = {
  ...memoryConnector().specification,
  sourceParams: defineConfig({
    z: param.int({ greaterThan: 0, lessThan: 10, description: 'z' }),
    a: param.string({ required: true, inclusion: ['x', 'y'], regex: '^[xy]$', description: 'a' }),
    'c.*.d': param.duration({ default: '1s', description: 'd' }),
    f: param.file({ description: 'f' }),
    g: param.float({ exclusion: [0.5], description: 'g' }),
    b: param.bool({ default: false, description: 'b' }),
  }).parameters,
  features: {
    source: { multipleCollections: true, cdc: { snapshot: true, resume: false } },
    destination: { idempotentWrites: true },
  },
};

describe('specification encodings', () => {
  it('maps to the proto message with Conduit enums', () => {
    const m = specificationToProto(spec);
    expect(m.sourceParams.a!.type).toBe(Parameter_Type.STRING);
    expect(m.sourceParams['c.*.d']).toMatchObject({ type: Parameter_Type.DURATION, default: '1s' });
    expect(m.sourceParams.a!.validations.map((v) => v.type)).toEqual([
      Parameter_Validation_Type.REQUIRED,
      Parameter_Validation_Type.INCLUSION,
      Parameter_Validation_Type.REGEX,
    ]);
    expect(m.features?.source?.cdc).toMatchObject({ snapshot: true, resume: false });
    expect(m.features?.source?.longPolling).toBeUndefined();
    expect(m.features?.destination?.idempotentWrites).toBe(true);
  });

  it('round-trips through protobuf binary', () => {
    expect(specificationFromBinary(specificationToBinary(spec))).toEqual(
      specificationToObject(spec),
    );
    expect(specificationToObject(spec).sourceParams).toEqual(spec.sourceParams);
  });

  it('carries resume declared without change capture', () => {
    const resumable: Specification = {
      ...spec,
      features: { source: { multipleCollections: true, resume: true } },
    };
    const m = specificationToProto(resumable);
    expect(m.features?.source).toMatchObject({ resume: true, multipleCollections: true });
    expect(m.features?.source?.cdc).toBeUndefined();
    expect(specificationFromBinary(specificationToBinary(resumable)).features).toEqual(
      resumable.features,
    );
    // Absent stays absent: a CDC source does not gain a plain `resume`.
    expect(specificationFromProto(specificationToProto(spec)).features.source).not.toHaveProperty(
      'resume',
    );
  });

  it('JSON and YAML are deterministic and sorted', () => {
    const json = specificationToJSON(spec);
    expect(Object.keys(JSON.parse(json).sourceParams)).toEqual(['a', 'b', 'c.*.d', 'f', 'g', 'z']);
    expect(parse(specificationToYAML(spec))).toEqual(JSON.parse(json));
    const shuffled = {
      ...spec,
      sourceParams: Object.fromEntries(Object.entries(spec.sourceParams).reverse()),
    };
    expect(specificationToJSON(shuffled)).toBe(json);
    expect(specificationToYAML(shuffled)).toBe(specificationToYAML(spec));
  });
});

import { specificationToBinary } from './convert.js';
