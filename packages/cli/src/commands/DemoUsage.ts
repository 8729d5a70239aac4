/** The demo's usage line: printed by the help text and by the demo's own flag errors. */
export const DEMO_USAGE =
  "aurora-logs demo [--instances N] [--duration 30s] [--from-dir DIR] [--out DIR] [--data-dir DIR] [--rate X] [--quiet]"
