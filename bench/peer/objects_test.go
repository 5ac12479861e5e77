package main

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
)

func TestKindsTheSchemeKnowsAreTyped(t *testing.T) {
	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	if _, ok := kindObject(scheme, appsv1.SchemeGroupVersion.WithKind("StatefulSet")).(*appsv1.StatefulSet); !ok {
		t.Error("a StatefulSet must be watched and cached typed")
	}
	u, ok := kindObject(scheme, activationGVK).(*unstructured.Unstructured)
	if !ok || u.GetKind() != "BlockActivation" {
		t.Error("aihub's kinds have no Go types here: unstructured, with their kind set")
	}
}
