package main

// The peer's Ready, the same judgement aihub makes, as pure functions of live objects:
//   - a tenant is Ready once its children are applied and kube-controller-manager has counted
//     everything its ResourceQuota limits (until then the API server refuses every activation in
//     the namespace: "status unknown for quota");
//   - an activation is Ready once its workload (Deployment or StatefulSet) has seen its latest
//     spec and has every replica available.

import (
	"sort"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// uncountedQuota returns the keys of the desired quota that the live one does not count yet:
// absent from status.used, or counted against another hard limit than the desired one.
func uncountedQuota(live *unstructured.Unstructured, desired map[string]any) []string {
	want, _, _ := unstructured.NestedStringMap(desired, "spec", "hard")
	var used, hard map[string]string
	if live != nil {
		used, _, _ = unstructured.NestedStringMap(live.Object, "status", "used")
		hard, _, _ = unstructured.NestedStringMap(live.Object, "status", "hard")
	}
	var out []string
	for k, v := range want {
		if _, counted := used[k]; !counted || hard[k] != v {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// onlySeedMissing: everything is counted but the key the operator may seed itself.
func onlySeedMissing(uncounted []string, seedKey string) bool {
	return seedKey != "" && len(uncounted) == 1 && uncounted[0] == seedKey
}

// workloadAvailable: the controller has observed the latest generation and every desired replica
// (spec.replicas, 1 when unset) is available. Holds for Deployments and StatefulSets alike.
func workloadAvailable(w *unstructured.Unstructured) bool {
	if w == nil {
		return false
	}
	observed, _, _ := unstructured.NestedInt64(w.Object, "status", "observedGeneration")
	if observed < w.GetGeneration() {
		return false
	}
	replicas, found, _ := unstructured.NestedInt64(w.Object, "spec", "replicas")
	if !found {
		replicas = 1
	}
	available, _, _ := unstructured.NestedInt64(w.Object, "status", "availableReplicas")
	return available >= replicas
}
