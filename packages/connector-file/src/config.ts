/**
 * The connector's own parameters: only `path`, as in Conduit's file connector (the `sdk.*`
 * parameters come from the sdk's middleware).
 */
import { statSync } from 'node:fs';
import { defineConfig, param } from '@opencdc-ts/sdk';

/**
 * Why `path` cannot be used, or `undefined`. A file that does not exist (yet) is fine, as in
 * Conduit: the source waits for it, the destination creates it. Anything else `stat` refuses
 * (a missing directory, no permission, a path through a file) is a configuration error, found
 * when the pipeline is validated rather than when it starts.
 */
export function pathProblem(path: string): string | undefined {
  try {
    if (statSync(path).isDirectory()) return 'give the path of a file, not of a directory';
    return undefined;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    return `give a path that can be accessed (${(err as Error).message})`;
  }
}

export const sourceConfig = defineConfig({
  path: param.string({
    required: true,
    description:
      'Path of the file to read. Each line becomes a record; lines appended later are read as they arrive. The file may not exist yet: the source waits for it.',
    check: pathProblem,
  }),
});

export const destinationConfig = defineConfig({
  path: param.string({
    required: true,
    description:
      'Path of the file records are appended to, one per line (created if missing; its directory must exist).',
    check: pathProblem,
  }),
});

export interface FileConfig {
  readonly path: string;
}
