package main

import (
	"testing"

	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func TestDesiredStatusIsStableSoAResyncWritesNothing(t *testing.T) {
	obj := &unstructured.Unstructured{Object: map[string]any{}}
	obj.SetGeneration(3)
	first, err := desiredStatus(obj, false, "RollingOut", "waiting", nil)
	if err != nil {
		t.Fatal(err)
	}
	obj.Object["status"] = first
	ready, err := desiredStatus(obj, true, "Available", "every replica is available", map[string]any{"currentVersion": "1.1.0"})
	if err != nil {
		t.Fatal(err)
	}
	if equality.Semantic.DeepEqual(first, ready) {
		t.Fatal("Ready changed, so the status must change")
	}
	if ready["currentVersion"] != "1.1.0" || ready["observedGeneration"] != int64(3) {
		t.Errorf("status fields: %v", ready)
	}
	obj.Object["status"] = ready
	again, err := desiredStatus(obj, true, "Available", "every replica is available", map[string]any{"currentVersion": "1.1.0"})
	if err != nil {
		t.Fatal(err)
	}
	if !equality.Semantic.DeepEqual(ready, again) {
		t.Errorf("an unchanged judgement must give the same status (no write):\n%v\n%v", ready, again)
	}
}
