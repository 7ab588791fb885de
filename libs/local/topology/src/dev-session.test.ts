import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { requestDevToken, writeDevSession } from './dev-session';
import { LocalIssuer } from './local-issuer';

describe('dev token', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dev-session-'));

  it('mints a token with the asked scopes from the running dev session', async () => {
    const issuer = await LocalIssuer.start({ audience: 'items', scopes: ['items:read', 'items:write'] });
    const remove = writeDevSession({ service: 'items', environment: 'dev', issuer: issuer.url, frontDoor: 'http://127.0.0.1:1', pid: process.pid }, dir);
    try {
      const claims = decodeJwt(await requestDevToken({ service: 'items', environment: 'dev', scopes: ['items:read'], dir }));
      expect(claims).toMatchObject({ iss: issuer.url, aud: 'items', scope: 'items:read' });
    } finally {
      remove();
      await issuer.stop();
    }
  });

  it('says in one line that no dev session runs', async () => {
    await expect(requestDevToken({ service: 'orders', environment: 'dev', dir })).rejects.toThrow(/^no npm run dev is running for service orders in dev \(no .*\); start it first/);
  });
});
