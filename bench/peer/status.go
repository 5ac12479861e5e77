package main

// Status as the kubebuilder book writes it: conditions set with meta.SetStatusCondition (which
// keeps lastTransitionTime when the status does not change), observedGeneration, and one Update
// of the status subresource, skipped when nothing changed so that a resync writes no status.

import (
	"context"

	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

const readyCondition = "Ready"

// desiredStatus returns obj's status with Ready set to `ready` (and `extra` fields merged in).
func desiredStatus(obj *unstructured.Unstructured, ready bool, reason, message string, extra map[string]any) (map[string]any, error) {
	status, _, _ := unstructured.NestedMap(obj.Object, "status")
	next := runtime.DeepCopyJSON(status)
	if next == nil {
		next = map[string]any{}
	}
	var conditions []metav1.Condition
	if raw, ok := next["conditions"].([]any); ok {
		for _, c := range raw {
			var cond metav1.Condition
			m, _ := c.(map[string]any)
			if err := runtime.DefaultUnstructuredConverter.FromUnstructured(m, &cond); err != nil {
				return nil, err
			}
			conditions = append(conditions, cond)
		}
	}
	s := metav1.ConditionFalse
	if ready {
		s = metav1.ConditionTrue
	}
	meta.SetStatusCondition(&conditions, metav1.Condition{
		Type:               readyCondition,
		Status:             s,
		Reason:             reason,
		Message:            message,
		ObservedGeneration: obj.GetGeneration(),
	})
	out := make([]any, 0, len(conditions))
	for i := range conditions {
		m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(&conditions[i])
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	next["conditions"] = out
	next["observedGeneration"] = obj.GetGeneration()
	for k, v := range extra {
		next[k] = runtime.DeepCopyJSONValue(v)
	}
	return next, nil
}

// updateStatus writes `next` through the status subresource when it differs from obj's status.
func updateStatus(ctx context.Context, c client.Client, obj *unstructured.Unstructured, next map[string]any) error {
	status, _, _ := unstructured.NestedMap(obj.Object, "status")
	if equality.Semantic.DeepEqual(status, next) {
		return nil
	}
	obj.Object["status"] = next
	return c.Status().Update(ctx, obj)
}
