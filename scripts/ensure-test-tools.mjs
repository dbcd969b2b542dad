// Makes sure the tests have what they drive from the system, so that `npm test` is all a fresh
// machine needs: a Chromium for the browser and end-to-end tests (test tools never download their
// own browser here), and `redis-server` for the Redis store's tests (they start their own servers
// on free loopback ports). As root on Debian, installs what is missing with apt-get. The one place
// that does: `npm test` and `.ci/run` both call it.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const onPath = (cmd) => (process.env.PATH ?? '').split(':').some((dir) => dir && existsSync(`${dir}/${cmd}`));
const chromium = [process.env.CHROME_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(Boolean);

const chromedriver = [process.env.CHROMEDRIVER_FILEPATH, '/usr/bin/chromedriver'].filter(Boolean);

const missing = [];
if (!chromium.some((p) => existsSync(p))) missing.push('chromium');
if (!chromedriver.some((p) => existsSync(p)) && !onPath('chromedriver')) missing.push('chromium-driver');
if (!onPath('redis-server')) missing.push('redis-server');
if (missing.length === 0) process.exit(0);

const canApt = process.platform === 'linux' && process.getuid?.() === 0 && existsSync('/usr/bin/apt-get');
if (!canApt) {
  console.error(
    `Missing for the tests: ${missing.join(', ')}. Install them (Debian: apt-get install -y ${missing.join(' ')}),` +
      ' or set CHROME_PATH to a Chromium.',
  );
  process.exit(1);
}
console.log(`Installing ${missing.join(', ')} from Debian for the tests...`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
execFileSync('apt-get', ['install', '-y', '-qq', ...missing], { stdio: 'inherit', env });
