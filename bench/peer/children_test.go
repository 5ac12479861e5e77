package main

import (
	"strings"
	"testing"
)

const file = `{
  "tenants": {"t1": {"objects": [
    {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "t1"}},
    {"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "q", "namespace": "t1"}}
  ], "quota": {"name": "q", "seedKey": "count/x"}}},
  "activations": {"t1/a": {"objects": [
    {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "a", "namespace": "t1"}},
    {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "namespace": "t1"}}
  ], "workload": {"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "a"}, "status": {"currentVersion": "1.0.0"}}}
}`

func TestChildKindsComeFromTheFile(t *testing.T) {
	f, err := parseChildrenFile([]byte(file))
	if err != nil {
		t.Fatal(err)
	}
	k, err := f.ChildKinds()
	if err != nil {
		t.Fatal(err)
	}
	if got := len(k.Tenant); got != 2 || k.Tenant[0].Kind != "Namespace" || k.Tenant[1].Kind != "ResourceQuota" {
		t.Errorf("tenant kinds: %v", k.Tenant)
	}
	// A StatefulSet where the renderer made one: owned without a change to the peer.
	if got := len(k.Activation); got != 2 || k.Activation[0].Kind != "ConfigMap" || k.Activation[1].Kind != "StatefulSet" {
		t.Errorf("activation kinds: %v", k.Activation)
	}
	a, found, err := f.Activation("t1/a")
	if err != nil || !found || a.Workload.Kind != "StatefulSet" || a.Status["currentVersion"] != "1.0.0" {
		t.Errorf("activation entry: %+v %v %v", a, found, err)
	}
	if _, found, _ := f.Tenant("t2"); found {
		t.Error("t2 is not in the file")
	}
}

func TestBadFilesNameWhatIsWrong(t *testing.T) {
	cases := map[string]string{
		`[]`: "not a children file",
		`{}`: "names no tenants and no activations",
		`{"tenants": {"t": {"objects": [{"kind": "Namespace", "metadata": {"name": "t"}}]}}}`: "tenants[t].objects[0]: needs apiVersion, kind and metadata.name",
		`{"activations": {"t/a": {"objects": []}}}`:                                           `activations["t/a"].workload`,
	}
	for in, want := range cases {
		f, err := parseChildrenFile([]byte(in))
		if err == nil {
			_, err = f.ChildKinds()
		}
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want an error saying %q", in, err, want)
		}
	}
}
