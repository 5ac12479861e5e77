// The V8 flags in operator/node-options and the environment in operator/node-env, for whatever
// starts the operator as a process.
import { nodeEnv, nodeOptions } from "../../operator/image/image-config.ts";

/** The environment to start the operator in: this process's, with operator/node-env's variables unless set. */
export function operatorNodeEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...nodeEnv(), ...env };
}

/** The V8 flags in operator/node-options, as the image's entrypoint passes them. */
export function operatorNodeOptions(): string[] {
  return nodeOptions();
}
