// Loads a kubeconfig: an explicit path, else $KUBECONFIG, else in-cluster, else ~/.kube/config.
import { KubeConfig } from "@kubernetes/client-node";

export function loadKubeConfig(path?: string): KubeConfig {
  const kc = new KubeConfig();
  if (path) kc.loadFromFile(path);
  else kc.loadFromDefault();
  return kc;
}
