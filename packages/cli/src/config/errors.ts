/** A place in a pipeline file, 1-based like editors show it. */
export interface FilePosition {
  file: string;
  line: number;
  col: number;
}

export interface FileIssue {
  message: string;
  at: FilePosition;
}

export function formatPosition(at: FilePosition): string {
  return `${at.file}:${at.line}:${at.col}`;
}

/** Problems in a pipeline file; every message starts with `file:line:col`. All are reported. */
export class PipelineFileError extends Error {
  override readonly name = 'PipelineFileError';
  constructor(
    readonly issues: readonly FileIssue[],
    /** Non-fatal remarks found before the errors (an unset variable often explains one). */
    readonly warnings: readonly string[] = [],
  ) {
    super(issues.map((i) => `${formatPosition(i.at)}: ${i.message}`).join('\n'));
  }
}
