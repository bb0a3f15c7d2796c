#!/usr/bin/env node
// A committed shim, so the bin exists at install time (before `dist/` is built) and pnpm links
// it for the workspace's connectors.
import '../dist/bin/opencdc-readme.js';
