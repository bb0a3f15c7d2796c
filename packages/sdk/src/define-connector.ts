import type { Connector, ConnectorSide, Destination, Source } from './connector.js';
import { withDestinationSideMiddleware, withSourceMiddleware } from './middleware/wrap.js';
import type { Features, Specification } from './spec/types.js';

export interface ConnectorDefinition<SC, DC> {
  /** Short unique name, e.g. `postgres` (letters, digits, `-`, `_`, `.`). */
  name: string;
  summary: string;
  description: string;
  /** Semantic version, e.g. `1.2.0` (a leading `v` is accepted, as in Go modules). */
  version: string;
  author: string;
  /** What the connector supports: declared here, verified by the acceptance suite. */
  features?: Features;
  source?: ConnectorSide<SC, Source>;
  destination?: ConnectorSide<DC, Destination>;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const VERSION = /^v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

/**
 * Builds a `Connector` whose specification takes its parameters from the sides' configs (declared
 * once). Both sides get the SDK middleware (`sdk.batch.*`, `sdk.rate.*`, `sdk.record.format*`,
 * `sdk.schema.*`, see `middleware/`): its parameters follow the connector's own in the
 * specification and in `side.config`. Throws on an inconsistent definition (e.g. source
 * features without a source).
 */
export function defineConnector<SC = never, DC = never>(
  def: ConnectorDefinition<SC, DC>,
): Connector<SC, DC> {
  const problems: string[] = [];
  if (!NAME.test(def.name)) problems.push(`name ${JSON.stringify(def.name)} is not a simple name`);
  if (!VERSION.test(def.version))
    problems.push(`version ${JSON.stringify(def.version)} is not a semantic version`);
  if (!def.source && !def.destination) problems.push('it has neither a source nor a destination');
  const features: Features = {};
  if (def.features?.source) {
    if (!def.source) problems.push('it declares source features but has no source');
    features.source = { ...def.features.source };
  }
  if (def.features?.destination) {
    if (!def.destination) problems.push('it declares destination features but has no destination');
    features.destination = { ...def.features.destination };
  }
  if (problems.length > 0)
    throw new Error(`connector ${JSON.stringify(def.name)}: ${problems.join('; ')}`);

  const source = def.source && withSourceMiddleware(def.source);
  const destination = def.destination && withDestinationSideMiddleware(def.destination);
  const specification: Specification = {
    name: def.name,
    summary: def.summary,
    description: def.description,
    version: def.version,
    author: def.author,
    sourceParams: source ? { ...source.config.parameters } : {},
    destinationParams: destination ? { ...destination.config.parameters } : {},
    features,
  };
  return {
    specification,
    ...(source ? { source } : {}),
    ...(destination ? { destination } : {}),
  };
}
