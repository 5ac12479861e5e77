// What the activation renderer needs: everything resolved beforehand, so rendering is pure.
export interface ActivationRenderContext {
  /**
   * The logging sidecar every block runs with (a native sidecar), from the operator's configuration,
   * and the StorageClass of its queue's volume claims (undefined: the cluster's default).
   */
  logSidecar: { image: string; queueStorageClass?: string };
  /** Where requests to blocks come from. */
  gateway: { namespace: string };
  /** The central logging endpoint the sidecar ships to. */
  logging: { namespace: string; port: number };
}

export interface ActivationInput {
  activation: { name: string; namespace: string; uid: string; replicas: number };
  block: { name: string; port: number; riskClass: string };
  /** The version that runs, resolved from channel, pin or approval; image by digest. */
  version: { version: string; image: string };
  /** Validated parameters, defaults applied, as ConfigMap text. */
  parameters: Record<string, string>;
  /** Resources for the block's container, in canonical quantities. */
  resources: { requests?: Record<string, string>; limits?: Record<string, string> };
  humanInTheLoop?: { required: boolean; reviewerGroup?: string; samplePercentage?: number };
  /** The tenant's approved egress (case-management and source systems). */
  egress: { cidr: string; ports: { port: number; protocol: string }[] }[];
  /** The tenant's name (the namespace), for labels. */
  tenant: string;
  /** The municipality's CBS code (GM0344), a resource attribute of every log record. */
  municipalityCode: string;
  /** The municipality's Logboek Dataverwerkingen, when it has one: where the sidecar sends records. */
  logboek?: {
    endpoint: string;
    cidr: string;
    port: number;
    clientCertificateSecret: string;
    /** Whether the block's log lines go to the Logboek too (MunicipalTenant spec.logboek.logLines). */
    logLines: "Drop" | "Forward";
  };
  /** The block's processing activities (the running version's), each to the register entry it is. */
  processingActivities: Record<string, string>;
  /**
   * The running version's activities declared without personal data that the activation does not
   * map: no register entry, and the sidecar sends their records nowhere (ADR 14).
   */
  activitiesWithoutPersonalData?: string[];
}
