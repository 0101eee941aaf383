/**
 * What `rolecall` runs first. `rolecall exec …` — the command people run all
 * day — goes straight to the exec code without loading the CLI framework;
 * everything else (and `exec --help`) goes through clipanion in main.ts.
 * The bundle is split at these imports, so each path loads only its chunks.
 */
const args = process.argv.slice(2);

if (args[0] === 'exec') {
  const { parseOrReport, runExec, EXIT_ROLECALL_FAILED } = await import('./exec-run.js');
  const parsed = parseOrReport(args.slice(1));
  if (!parsed) process.exitCode = EXIT_ROLECALL_FAILED;
  else if (parsed.help) await import('./main.js');
  else process.exitCode = await runExec(parsed);
} else {
  await import('./main.js');
}
