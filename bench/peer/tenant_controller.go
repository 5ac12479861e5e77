package main

// MunicipalTenant -> its namespace, quota, limits, network policies and role bindings, as the
// children file has them. Like aihub's tenant controller it puts a finalizer on the tenant that
// deletes the namespace and waits until it is gone, and it is Ready once kube-controller-manager
// has counted the quota (seeding the count of BlockActivations, a custom resource that
// kube-controller-manager counts only at its next full resync, as aihub does).

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
)

const (
	tenantFinalizer  = "aihub.gemeenten.nl/tenant-cleanup"
	tenantFieldOwner = "aihub-peer-tenant"
)

var (
	tenantGVK     = schema.GroupVersionKind{Group: "aihub.gemeenten.nl", Version: "v1alpha1", Kind: "MunicipalTenant"}
	activationGVK = schema.GroupVersionKind{Group: "aihub.gemeenten.nl", Version: "v1alpha1", Kind: "BlockActivation"}
	quotaGVK      = corev1.SchemeGroupVersion.WithKind("ResourceQuota")
	namespaceGVK  = corev1.SchemeGroupVersion.WithKind("Namespace")
)

type TenantReconciler struct {
	client.Client
	Scheme   *runtime.Scheme
	Children *ChildrenFile
}

func (r *TenantReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	log := logf.FromContext(ctx)
	tenant := newObject(tenantGVK)
	if err := r.Get(ctx, req.NamespacedName, tenant); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if !tenant.GetDeletionTimestamp().IsZero() {
		return r.finalize(ctx, tenant)
	}
	if controllerutil.AddFinalizer(tenant, tenantFinalizer) {
		if err := r.Update(ctx, tenant); err != nil {
			return ctrl.Result{}, err
		}
	}

	desired, found, err := r.Children.Tenant(tenant.GetName())
	if err != nil {
		return ctrl.Result{}, err
	}
	if !found {
		next, err := desiredStatus(tenant, false, "NotInChildrenFile", "the children file has no entry for this tenant", nil)
		if err != nil {
			return ctrl.Result{}, err
		}
		return ctrl.Result{}, updateStatus(ctx, r.Client, tenant, next)
	}
	if err := applyChildren(ctx, r.Client, r.Scheme, tenant, desired.Objects, tenantFieldOwner); err != nil {
		return ctrl.Result{}, err
	}

	ready, reason, message := true, "Reconciled", "namespace, quota, limits, network policies and role bindings applied"
	if desired.Quota != nil {
		uncounted, err := r.judgeQuota(ctx, tenant.GetName(), desired)
		if err != nil {
			return ctrl.Result{}, err
		}
		if len(uncounted) > 0 {
			ready, reason = false, "QuotaNotCounted"
			message = fmt.Sprintf("waiting for kube-controller-manager to count %v in quota %s", uncounted, desired.Quota.Name)
		}
	}
	next, err := desiredStatus(tenant, ready, reason, message, nil)
	if err != nil {
		return ctrl.Result{}, err
	}
	if err := updateStatus(ctx, r.Client, tenant, next); err != nil {
		return ctrl.Result{}, err
	}
	log.V(1).Info("reconciled", "ready", ready)
	// The quota's status update by kube-controller-manager queues the tenant again (Owns).
	return ctrl.Result{}, nil
}

// judgeQuota returns what the quota does not count yet, after seeding the activation count when
// that is all that is missing (a merge patch of the quota's status, conditional on its
// resourceVersion, as aihub writes it).
func (r *TenantReconciler) judgeQuota(ctx context.Context, namespace string, desired *TenantChildren) ([]string, error) {
	var want map[string]any
	for _, o := range desired.Objects {
		u := unstructured.Unstructured{Object: o}
		if u.GroupVersionKind() == quotaGVK && u.GetName() == desired.Quota.Name {
			want = o
		}
	}
	if want == nil {
		return nil, fmt.Errorf("quota %s is not among the tenant's objects in the children file", desired.Quota.Name)
	}
	live, typed, err := getAsUnstructured(ctx, r.Client, r.Scheme, quotaGVK, types.NamespacedName{Namespace: namespace, Name: desired.Quota.Name})
	if err != nil {
		if apierrors.IsNotFound(err) {
			return []string{"everything (the quota is not in the cache yet)"}, nil
		}
		return nil, err
	}
	uncounted := uncountedQuota(live, want)
	if !onlySeedMissing(uncounted, desired.Quota.SeedKey) {
		return uncounted, nil
	}
	activations := &unstructured.UnstructuredList{}
	activations.SetGroupVersionKind(activationGVK.GroupVersion().WithKind("BlockActivationList"))
	if err := r.List(ctx, activations, client.InNamespace(namespace)); err != nil {
		return nil, err
	}
	patch, _ := json.Marshal(map[string]any{
		"metadata": map[string]any{"resourceVersion": live.GetResourceVersion()},
		"status":   map[string]any{"used": map[string]any{desired.Quota.SeedKey: strconv.Itoa(len(activations.Items))}},
	})
	if err := r.Status().Patch(ctx, typed, client.RawPatch(types.MergePatchType, patch)); err != nil {
		return nil, err
	}
	return nil, nil
}

// finalize deletes the tenant's namespace, waits until it is gone, then lets the tenant go.
func (r *TenantReconciler) finalize(ctx context.Context, tenant *unstructured.Unstructured) (ctrl.Result, error) {
	if !controllerutil.ContainsFinalizer(tenant, tenantFinalizer) {
		return ctrl.Result{}, nil
	}
	ns := kindObject(r.Scheme, namespaceGVK)
	err := r.Get(ctx, types.NamespacedName{Name: tenant.GetName()}, ns)
	if err == nil {
		if ns.GetDeletionTimestamp().IsZero() {
			if err := r.Delete(ctx, ns); client.IgnoreNotFound(err) != nil {
				return ctrl.Result{}, err
			}
		}
		return ctrl.Result{RequeueAfter: 2 * time.Second}, nil
	}
	if !apierrors.IsNotFound(err) {
		return ctrl.Result{}, err
	}
	controllerutil.RemoveFinalizer(tenant, tenantFinalizer)
	return ctrl.Result{}, r.Update(ctx, tenant)
}

// SetupWithManager: For the tenants, Owns every kind the children file gives tenants.
func (r *TenantReconciler) SetupWithManager(mgr ctrl.Manager, owns []schema.GroupVersionKind, workers int) error {
	b := ctrl.NewControllerManagedBy(mgr).For(newObject(tenantGVK)).Named("municipaltenant")
	for _, gvk := range owns {
		b = b.Owns(kindObject(r.Scheme, gvk))
	}
	return b.WithOptions(controller.Options{MaxConcurrentReconciles: workers}).Complete(r)
}
