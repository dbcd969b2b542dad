// Makes sure the browser tests have a Chromium to drive, so that `npm test` is all a fresh
// machine needs. Test tools never download their own browser here: they drive the system one.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const candidates = [process.env.CHROME_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(Boolean);
if (candidates.some((p) => existsSync(p))) process.exit(0);

const canApt = process.platform === 'linux' && process.getuid?.() === 0 && existsSync('/usr/bin/apt-get');
if (!canApt) {
  console.error('No Chromium found. Install it (Debian: apt-get install -y chromium) or set CHROME_PATH.');
  process.exit(1);
}
console.log('Installing Debian Chromium for the browser tests...');
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
execFileSync('apt-get', ['install', '-y', '-qq', 'chromium', 'chromium-driver'], { stdio: 'inherit', env });
