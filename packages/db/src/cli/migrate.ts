#!/usr/bin/env node
import { runMigrateCommand } from './runMigrateCommand.js';

process.exitCode = await runMigrateCommand(process.argv.slice(2), {
  env: process.env,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
