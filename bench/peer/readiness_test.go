package main

import (
	"reflect"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func quota(used, hard map[string]any) *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: map[string]any{"status": map[string]any{"used": used, "hard": hard}}}
}

func TestUncountedQuota(t *testing.T) {
	desired := map[string]any{"spec": map[string]any{"hard": map[string]any{"pods": "10", "count/blockactivations.aihub.gemeenten.nl": "5"}}}
	cases := []struct {
		name string
		live *unstructured.Unstructured
		want []string
	}{
		{"no live quota: nothing counted", nil, []string{"count/blockactivations.aihub.gemeenten.nl", "pods"}},
		{"the custom resource not counted yet", quota(map[string]any{"pods": "0"}, map[string]any{"pods": "10", "count/blockactivations.aihub.gemeenten.nl": "5"}), []string{"count/blockactivations.aihub.gemeenten.nl"}},
		{"counted against an old hard limit", quota(map[string]any{"pods": "0", "count/blockactivations.aihub.gemeenten.nl": "0"}, map[string]any{"pods": "20", "count/blockactivations.aihub.gemeenten.nl": "5"}), []string{"pods"}},
		{"everything counted", quota(map[string]any{"pods": "0", "count/blockactivations.aihub.gemeenten.nl": "0"}, map[string]any{"pods": "10", "count/blockactivations.aihub.gemeenten.nl": "5"}), nil},
	}
	for _, c := range cases {
		if got := uncountedQuota(c.live, desired); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
	if !onlySeedMissing([]string{"count/blockactivations.aihub.gemeenten.nl"}, "count/blockactivations.aihub.gemeenten.nl") {
		t.Error("only the seed key missing: the peer seeds it")
	}
	if onlySeedMissing([]string{"count/blockactivations.aihub.gemeenten.nl", "pods"}, "count/blockactivations.aihub.gemeenten.nl") {
		t.Error("more than the seed key missing: kube-controller-manager has not counted yet, nothing to seed")
	}
}

func workload(generation, observed, replicas, available int64, withReplicas bool) *unstructured.Unstructured {
	spec := map[string]any{}
	if withReplicas {
		spec["replicas"] = replicas
	}
	u := &unstructured.Unstructured{Object: map[string]any{
		"spec":   spec,
		"status": map[string]any{"observedGeneration": observed, "availableReplicas": available},
	}}
	u.SetGeneration(generation)
	return u
}

func TestWorkloadAvailable(t *testing.T) {
	cases := []struct {
		name string
		w    *unstructured.Unstructured
		want bool
	}{
		{"not in the cache", nil, false},
		{"every replica available", workload(2, 2, 3, 3, true), true},
		{"a replica short", workload(2, 2, 3, 2, true), false},
		{"new spec not observed yet", workload(3, 2, 1, 1, true), false},
		{"replicas unset means one", workload(1, 1, 0, 1, false), true},
		{"replicas 0 is available at once", workload(1, 1, 0, 0, true), true},
	}
	for _, c := range cases {
		if got := workloadAvailable(c.w); got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
}
