/** Runs the rings CLI in process, capturing what it prints. */
import * as path from 'path';
import { run } from '../../../src/cli/run';
import { Io } from '../../../src/cli/output';

export const FIXTURE = path.join(__dirname, '..', '..', 'fixtures', 'kustomize', 'autocom');

export async function rings(argv: string[], env: Record<string, string | undefined> = process.env): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: Io = {
    stdout: (s) => (stdout += s),
    stderr: (s) => (stderr += s),
    stdoutIsTty: false,
    stdinIsTty: false,
    ask: async () => '',
    env: { ...env, NO_COLOR: '1' },
  };
  const code = await run(argv, io);
  return { code, stdout, stderr };
}
