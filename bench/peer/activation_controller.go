package main

// BlockActivation -> its workload, ConfigMaps, Service, NetworkPolicy and PodDisruptionBudget, as
// the children file has them. Ready once the workload has every replica available. aihub has no
// finalizer on activations (its children go with it by ownerReference), and neither has the peer.

import (
	"context"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
)

const activationFieldOwner = "aihub-peer-activation"

type ActivationReconciler struct {
	client.Client
	Scheme   *runtime.Scheme
	Children *ChildrenFile
}

func (r *ActivationReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	activation := newObject(activationGVK)
	if err := r.Get(ctx, req.NamespacedName, activation); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if !activation.GetDeletionTimestamp().IsZero() {
		return ctrl.Result{}, nil
	}
	desired, found, err := r.Children.Activation(req.String())
	if err != nil {
		return ctrl.Result{}, err
	}
	if !found {
		next, err := desiredStatus(activation, false, "NotInChildrenFile", "the children file has no entry for this activation", nil)
		if err != nil {
			return ctrl.Result{}, err
		}
		return ctrl.Result{}, updateStatus(ctx, r.Client, activation, next)
	}
	if err := applyChildren(ctx, r.Client, r.Scheme, activation, desired.Objects, activationFieldOwner); err != nil {
		return ctrl.Result{}, err
	}

	gvk := schema.FromAPIVersionAndKind(desired.Workload.APIVersion, desired.Workload.Kind)
	key := types.NamespacedName{Namespace: req.Namespace, Name: desired.Workload.Name}
	// Not found: applied but not in the cache yet; its add event queues the activation.
	workload, _, err := getAsUnstructured(ctx, r.Client, r.Scheme, gvk, key)
	if client.IgnoreNotFound(err) != nil {
		return ctrl.Result{}, err
	}
	ready, reason, message := false, "RollingOut", "waiting until every replica of "+desired.Workload.Kind+" "+desired.Workload.Name+" is available"
	var extra map[string]any
	if workloadAvailable(workload) {
		ready, reason, message = true, "Available", "every replica is available"
		extra = desired.Status
	}
	next, err := desiredStatus(activation, ready, reason, message, extra)
	if err != nil {
		return ctrl.Result{}, err
	}
	return ctrl.Result{}, updateStatus(ctx, r.Client, activation, next)
}

// SetupWithManager: For the activations, Owns every kind the children file gives activations.
func (r *ActivationReconciler) SetupWithManager(mgr ctrl.Manager, owns []schema.GroupVersionKind, workers int) error {
	b := ctrl.NewControllerManagedBy(mgr).For(newObject(activationGVK)).Named("blockactivation")
	for _, gvk := range owns {
		b = b.Owns(kindObject(r.Scheme, gvk))
	}
	return b.WithOptions(controller.Options{MaxConcurrentReconciles: workers}).Complete(r)
}
