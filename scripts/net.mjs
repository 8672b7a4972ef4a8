// Loopback helpers for the throwaway servers the scripts start (scripts/services.mjs, scripts/kube/server.mjs).
import { spawn } from 'node:child_process';
import net from 'node:net';

/** A TCP port free on 127.0.0.1 right now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Resolves once 127.0.0.1:port accepts connections; rejects when `child` exits first or on timeout. */
export async function waitForPort(port, what, child, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`${what} exited with code ${child.exitCode}`);
    const ok = await new Promise(resolve => {
      const s = net.connect({ port, host: '127.0.0.1' }, () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise(r => setTimeout(r, 100));
  }
  throw new Error(
    `${what} did not listen on 127.0.0.1:${port} within ${timeoutMs} ms`,
  );
}

/**
 * The standalone use of started servers (`node scripts/kube.mjs start`, `node scripts/services.mjs`): prints
 * their environment as `export` lines, then runs `command` with it, or waits for Ctrl-C / SIGTERM; stops them
 * either way. Resolves to the command's exit code (0 after a signal).
 */
export async function serveOrRun({ env, stop }, command, log, what) {
  for (const [k, v] of Object.entries(env))
    console.log(`export ${k}=${JSON.stringify(v)}`);
  if (command.length) {
    const child = spawn(command[0], command.slice(1), {
      stdio: 'inherit',
      env: { ...process.env, ...env },
    });
    const code = await new Promise(resolve =>
      child.on('close', c => resolve(c ?? 1)),
    );
    await stop();
    return code;
  }
  log(`running; Ctrl-C stops ${what}`);
  await new Promise(resolve => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await stop();
  return 0;
}
