// A real `district` for the end-to-end tests: the debug binary the CI builds
// (or LINDUNG_DISTRICT), serving the release build of the app in `dist/`.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { RosterApp } from './pages/roster-app';

export const repoRoot = path.resolve(__dirname, '..', '..');
const district = process.env.LINDUNG_DISTRICT ?? path.join(repoRoot, 'target', 'debug', 'district');
const dist = path.join(repoRoot, 'dist');

export function runDistrict(...args: string[]): string {
  try {
    return execFileSync(district, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const { status, stdout, stderr } = error as { status: number; stdout: string; stderr: string };
    throw new Error(`district ${args.join(' ')} exited ${status}: ${stdout}${stderr}`);
  }
}

/** Starts `district serve` of `db` with the app; resolves once it listens. */
export function serve(db: string, key: string, listen: number, ...extra: string[]): Promise<ChildProcess> {
  const child = spawn(
    district,
    ['serve', '--db', db, '--key', key, '--app', dist, '--listen', `127.0.0.1:${listen}`, ...extra],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr!.on('data', (d) => (err += d));
    child.stdout!.on('data', (d) => {
      if (String(d).includes('listening on')) resolve(child);
    });
    child.on('exit', (code) => reject(new Error(`district serve exited ${code}: ${err}`)));
  });
}

export async function stop(child: ChildProcess) {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}


/** The agent set on the phone, and its device key enrolled (approved) in `db`,
 * as an officer would add it from the kid Settings shows; returns the kid. */
export async function enrol(app: RosterApp, db: string): Promise<string> {
  await app.setAgent();
  await app.goto('#/pengaturan');
  const kid = await app.settings.deviceKid();
  runDistrict('agents', 'add', '--db', db, '--kid', kid, '--name', 'Petugas Uji');
  return kid;
}
