#!/usr/bin/env node
// opencdc-readme <connector module> <README.md> [--check]; see spec/readme-cli.ts.
import { readmeCli } from '../spec/readme-cli.js';

readmeCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`opencdc-readme: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
