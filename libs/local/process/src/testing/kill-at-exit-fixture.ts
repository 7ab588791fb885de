// Run by server-process.test.ts: starts `sleep 60` detached (nothing else would stop it),
// prints its pid, registers a kill at exit, forgets a second one, and exits.
import { spawn } from 'node:child_process';
import { killAtExit } from '../server-process';

const sleeper = spawn('sleep', ['60'], { detached: true, stdio: 'ignore' });
sleeper.unref();
killAtExit(() => process.kill(sleeper.pid!, 'SIGKILL'));
const forget = killAtExit(() => {
  throw new Error('a forgotten kill must not run');
});
forget();
process.stdout.write(`${sleeper.pid}\n`);
process.exit(0);
