#!/usr/bin/env node
// `./portal start`: the app (:3000) and the backend (:7007) with the bundled demo fleet (app-config.yaml).
import { spawn } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const child = spawn(
  'backstage-cli',
  ['repo', 'start', ...process.argv.slice(2)],
  { cwd: root, stdio: 'inherit' },
);
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('close', code => process.exit(code ?? 1));
