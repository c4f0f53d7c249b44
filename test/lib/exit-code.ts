/**
 * The exit code behind an execFile callback's error: 0 when there is none, the error's numeric
 * `code` when the process exited non-zero, else `otherwise` (killed by a signal or the timeout,
 * or not started: then `code` is a string such as 'ENOENT', or absent).
 */
export function execExitCode (err: unknown, otherwise = 1): number {
  if (err === null || err === undefined) return 0
  const code = (err as { code?: unknown }).code
  return typeof code === 'number' ? code : otherwise
}
