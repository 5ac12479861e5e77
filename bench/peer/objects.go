package main

// Objects of a kind the client-go scheme knows (Deployments, ConfigMaps, Namespaces, ...) are
// watched, cached and read typed, as an operator built on controller-runtime does: a typed cache
// holds Go structs, far smaller than the maps of an unstructured one. aihub's own kinds, which
// have no Go types here, are unstructured. Judgements read everything as unstructured.

import (
	"context"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

func newObject(gvk schema.GroupVersionKind) *unstructured.Unstructured {
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(gvk)
	return u
}

// kindObject is an empty object of gvk: typed when the scheme knows the kind, else unstructured.
func kindObject(scheme *runtime.Scheme, gvk schema.GroupVersionKind) client.Object {
	if o, err := scheme.New(gvk); err == nil {
		if typed, ok := o.(client.Object); ok {
			return typed
		}
	}
	return newObject(gvk)
}

// getAsUnstructured reads one object of gvk (from the cache its kind has) as unstructured.
func getAsUnstructured(ctx context.Context, c client.Client, scheme *runtime.Scheme, gvk schema.GroupVersionKind, key types.NamespacedName) (*unstructured.Unstructured, client.Object, error) {
	obj := kindObject(scheme, gvk)
	if err := c.Get(ctx, key, obj); err != nil {
		return nil, nil, err
	}
	if u, ok := obj.(*unstructured.Unstructured); ok {
		return u, obj, nil
	}
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		return nil, nil, err
	}
	return &unstructured.Unstructured{Object: m}, obj, nil
}
