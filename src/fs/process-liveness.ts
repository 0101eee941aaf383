/**
 * Is the process that wrote a lock file still running? A pid alone is not
 * enough (pids are reused), so a lock also records the process's start time
 * where the system tells it (Linux: /proc/PID/stat); a pid that is alive but
 * started at another time is somebody else.
 */
import { readFileSync } from 'node:fs';

/** Start time in clock ticks since boot (field 22 of /proc/PID/stat); undefined where there is no /proc. */
export function processStartTime(pid: number): string | undefined {
  const fields = statFields(pid);
  return fields?.[19];
}

export function isProcessAlive(pid: number, startTime: string | undefined): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  const fields = statFields(pid);
  if (!fields) return true;
  // A killed process that its parent has not reaped yet still answers kill(0).
  if (fields[0] === 'Z' || fields[0] === 'X') return false;
  return startTime === undefined || fields[19] === startTime;
}

/**
 * The fields of /proc/PID/stat after "pid (comm)": state, ppid, pgrp,
 * session, tty_nr, tpgid, …; comm may itself hold spaces and parentheses.
 * Undefined where there is no /proc (or no such process).
 */
export function statFields(pid: number | 'self'): string[] | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}
