// The logging sidecar's configuration input for Utrecht's bezwaar-intake, as the unit tests of
// the configuration and of its YAML use it.
import {
  type CollectorConfigInput,
  DEFAULT_LOG_DIR,
  DEFAULT_PORTS,
  DEFAULT_STORAGE_DIR,
  DEFAULT_TLS_DIR,
} from "../../operator/src/logboek/collector-config.ts";

export const UTRECHT_COLLECTOR_INPUT: CollectorConfigInput = {
  resource: {
    municipalityCode: "GM0344",
    tenant: "utrecht",
    block: "bezwaar-intake",
    version: "1.4.0",
    activation: "intake",
  },
  logboek: { endpoint: "https://logboek.utrecht.nl:4317", tlsDir: DEFAULT_TLS_DIR },
  activities: { "zaak-voorstel": "VWR-2024-018", "intake-analyse": "VWR-2024-017" },
  storageDir: DEFAULT_STORAGE_DIR,
  logDir: DEFAULT_LOG_DIR,
  ports: DEFAULT_PORTS,
  forwardLogLines: true,
};
