// pino JSON logs; controllers add controller, kind, namespace, name and reconcileID per reconcile.
import { type Logger, pino } from "pino";

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { component: "aihub-operator" },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}
