#!/usr/bin/env node
// `./portal start`: the app (:3000) and the backend (:7007) with the bundled demo fleet (app-config.yaml).
// `./portal start --live` adds a live management cluster, mgmt-live, on a real kube-apiserver (built once per
// machine, several minutes the first time; see scripts/kube/live.mjs), stopped with the portal.
import { spawn } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const live = args.includes('--live');

let liveCluster;
if (live) {
  const { startLiveManagementCluster } = await import('./kube/live.mjs');
  try {
    liveCluster = await startLiveManagementCluster({
      root,
      log: (...a) => console.log('[live]', ...a),
    });
  } catch (e) {
    console.error(`portal: step 'start --live': ${e.message}`);
    process.exit(1);
  }
  process.once('exit', () => liveCluster.kill());
}

const child = spawn(
  'backstage-cli',
  [
    'repo',
    'start',
    ...(liveCluster?.configArgs ?? []),
    ...args.filter(a => a !== '--live'),
  ],
  { cwd: root, stdio: 'inherit' },
);
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('close', async code => {
  await liveCluster?.stop();
  process.exit(code ?? 1);
});
