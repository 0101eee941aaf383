/**
 * What `rolecall export` prints: the variables exec gives a child (keys,
 * token, expiration, region), in one format, for the shell or file that
 * takes them in.
 */
import type { Env } from '../base/env.js';
import { commandSession, type CommandSessionRequest } from '../exec/command-session.js';
import { REMOVED_FROM_CHILD, sessionVariables } from '../exec/child-env.js';
import { renderExport, type ExportFormat } from './export-formats.js';

export interface ExportRequest extends Omit<CommandSessionRequest, 'usage'> {
  readonly format: ExportFormat;
  /** The ini section; the profile's name when absent. */
  readonly section?: string;
}

export async function exportSession(processEnv: Env, request: ExportRequest): Promise<string> {
  const { plan, credentials } = await commandSession(processEnv, { ...request, usage: 'export PROFILE' });
  // ROLECALL_PROFILE marks a process inside `rolecall exec`: in the shell
  // that evals this it would make every later exec refuse to run.
  const { ROLECALL_PROFILE: _inside, ...variables } = sessionVariables(plan.profile, credentials, plan.region);
  // What would win over the keys in the SDKs (a profile, an old token name),
  // and a token or expiry left from an earlier session. The hook's own
  // markers stay: they are its state, not credentials.
  const removed = REMOVED_FROM_CHILD.filter((name) => name.startsWith('AWS_') && !(name in variables));
  return renderExport(request.format, { variables, removed, credentials, section: request.section ?? plan.profile });
}
