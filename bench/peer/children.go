package main

// The children file: what aihub's own renderers (renderTenant, renderActivation) make of each
// MunicipalTenant and BlockActivation of the benchmark's fleet, written by bench/fleet.ts before
// the run. The peer renders nothing itself, so that the benchmark compares the machinery and not
// two renderers. Each entry stays JSON bytes until a reconcile needs it: decoded once for the
// whole fleet the objects would cost several times the file's size in maps.

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// ChildrenFile is the file as written: tenants by name, activations by namespace/name.
type ChildrenFile struct {
	Tenants     map[string]json.RawMessage `json:"tenants"`
	Activations map[string]json.RawMessage `json:"activations"`
}

// TenantChildren is one tenant's entry: its namespace and every object in it or of it.
type TenantChildren struct {
	Objects []map[string]any `json:"objects"`
	// The quota whose counts make the tenant Ready (as aihub's uncountedQuota judges).
	Quota *QuotaJudgement `json:"quota,omitempty"`
}

// QuotaJudgement names the tenant's ResourceQuota and the key kube-controller-manager counts late
// (a custom resource: only at its next full resync), which aihub seeds itself.
type QuotaJudgement struct {
	Name    string `json:"name"`
	SeedKey string `json:"seedKey"`
}

// ActivationChildren is one activation's entry: its children, which of them is the workload whose
// availability makes it Ready, and the status fields aihub would write beside the conditions.
type ActivationChildren struct {
	Objects  []map[string]any `json:"objects"`
	Workload ObjectKey        `json:"workload"`
	Status   map[string]any   `json:"status,omitempty"`
}

// ObjectKey names one object by apiVersion, kind and name (in the activation's namespace).
type ObjectKey struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Name       string `json:"name"`
}

// Kinds are the child kinds of each controller, for its Owns.
type Kinds struct {
	Tenant     []schema.GroupVersionKind
	Activation []schema.GroupVersionKind
}

func readChildrenFile(path string) (*ChildrenFile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--children: %w", err)
	}
	return parseChildrenFile(b)
}

func parseChildrenFile(b []byte) (*ChildrenFile, error) {
	var f ChildrenFile
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("--children: not a children file (JSON with tenants and activations): %w", err)
	}
	if len(f.Tenants) == 0 && len(f.Activations) == 0 {
		return nil, fmt.Errorf("--children: the file names no tenants and no activations; write it with bench/fleet.ts")
	}
	return &f, nil
}

// Tenant decodes one tenant's entry; false when the file has none for it.
func (f *ChildrenFile) Tenant(name string) (*TenantChildren, bool, error) {
	raw, ok := f.Tenants[name]
	if !ok {
		return nil, false, nil
	}
	var t TenantChildren
	if err := json.Unmarshal(raw, &t); err != nil {
		return nil, true, fmt.Errorf("tenants[%q]: %w", name, err)
	}
	return &t, true, nil
}

// Activation decodes one activation's entry (key namespace/name); false when the file has none.
func (f *ChildrenFile) Activation(key string) (*ActivationChildren, bool, error) {
	raw, ok := f.Activations[key]
	if !ok {
		return nil, false, nil
	}
	var a ActivationChildren
	if err := json.Unmarshal(raw, &a); err != nil {
		return nil, true, fmt.Errorf("activations[%q]: %w", key, err)
	}
	if a.Workload.Kind == "" || a.Workload.Name == "" {
		return nil, true, fmt.Errorf("activations[%q].workload: needs apiVersion, kind and name of the Deployment or StatefulSet", key)
	}
	return &a, true, nil
}

// ChildKinds reads every entry once at start-up and returns the kinds each controller owns, so
// that a kind the renderers start to produce (a StatefulSet for a Deployment) is watched without
// a change here.
func (f *ChildrenFile) ChildKinds() (Kinds, error) {
	var k Kinds
	tenant := map[schema.GroupVersionKind]bool{}
	for name := range f.Tenants {
		t, _, err := f.Tenant(name)
		if err != nil {
			return k, err
		}
		if err := addKinds(tenant, t.Objects, "tenants["+name+"]"); err != nil {
			return k, err
		}
	}
	activation := map[schema.GroupVersionKind]bool{}
	for key := range f.Activations {
		a, _, err := f.Activation(key)
		if err != nil {
			return k, err
		}
		if err := addKinds(activation, a.Objects, "activations["+key+"]"); err != nil {
			return k, err
		}
	}
	return Kinds{Tenant: sortedKinds(tenant), Activation: sortedKinds(activation)}, nil
}

func addKinds(into map[schema.GroupVersionKind]bool, objects []map[string]any, where string) error {
	for i, o := range objects {
		u := unstructured.Unstructured{Object: o}
		gvk := u.GroupVersionKind()
		if gvk.Kind == "" || gvk.Version == "" || u.GetName() == "" {
			return fmt.Errorf("%s.objects[%d]: needs apiVersion, kind and metadata.name", where, i)
		}
		into[gvk] = true
	}
	return nil
}

func sortedKinds(set map[schema.GroupVersionKind]bool) []schema.GroupVersionKind {
	out := make([]schema.GroupVersionKind, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}
