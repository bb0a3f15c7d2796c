/** The pipeline file versions Conduit knows (its changelogs), oldest first. */
export const SUPPORTED_VERSIONS = ['1.0', '1.1', '2.0', '2.1', '2.2'] as const;
export const LATEST_VERSION = '2.2';
const LATEST_OF_MAJOR: { readonly [major: string]: string } = { '1': '1.1', '2': '2.2' };

export type VersionChoice =
  | { version: string; warning?: string }
  | { version?: undefined; error: string };

/**
 * Which parser reads a document, as Conduit chooses it: a known version as is; no version, the
 * latest (with a warning); an unknown minor of a known major, that major's latest (with a
 * warning); an unknown major is an error.
 */
export function chooseVersion(written: string): VersionChoice {
  if (written === '') {
    return {
      version: LATEST_VERSION,
      warning: `no "version" set: read as version ${LATEST_VERSION} (as Conduit does); add version: "${LATEST_VERSION}"`,
    };
  }
  if ((SUPPORTED_VERSIONS as readonly string[]).includes(written)) return { version: written };
  const latest = LATEST_OF_MAJOR[written.split('.')[0] ?? ''];
  if (latest) {
    return {
      version: latest,
      warning: `unknown version "${written}": read as version ${latest}, the latest ${latest.split('.')[0]}.x (as Conduit does); set version: "${latest}"`,
    };
  }
  return {
    error: `unsupported version "${written}": Conduit pipeline files are version ${SUPPORTED_VERSIONS.join(', ')} (or another 1.x/2.x, read as the latest of its major); set version: "${LATEST_VERSION}"`,
  };
}

/** Version `a` is at least `b` (both `major.minor`). */
export function versionAtLeast(a: string, b: string): boolean {
  const [am = 0, an = 0] = a.split('.').map(Number);
  const [bm = 0, bn = 0] = b.split('.').map(Number);
  return am !== bm ? am > bm : an >= bn;
}
