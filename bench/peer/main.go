// aihub-peer: the controller-runtime operator the fleet benchmark runs beside aihub (issue 16).
//
// It reconciles the same MunicipalTenant and BlockActivation objects into the same children as
// aihub, written the way controller-runtime's documentation teaches: one manager, one reconciler
// per kind built with For and Owns, server-side apply of each child with a field owner (forced),
// a finalizer on tenants (as aihub has), and one status update when the status changes. It renders
// nothing: the children come from a file that bench/fleet.ts writes with aihub's own renderers.
// aihub's kinds are unstructured objects (no generated types); Kubernetes' own kinds are typed.
//
// Usage: aihub-peer --kubeconfig FILE --children FILE [flags]
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
)

type options struct {
	children       string
	workers        int
	qps            float64
	burst          int
	metricsAddress string
	syncPeriod     time.Duration
}

// defineFlags registers the peer's flags on fs; validate checks them after fs.Parse.
func defineFlags(fs *flag.FlagSet) *options {
	o := &options{}
	fs.StringVar(&o.children, "children", "", "JSON file of each tenant's and activation's desired children (bench/fleet.ts writes it)")
	fs.IntVar(&o.workers, "max-concurrent-reconciles", 1, "concurrent reconciles per controller (controller-runtime's default: 1)")
	fs.Float64Var(&o.qps, "kube-api-qps", -1, "client-side rate limit in requests per second; -1: none (controller-runtime's default since v0.21; up to v0.20 it was 20)")
	fs.IntVar(&o.burst, "kube-api-burst", 30, "burst of the client-side rate limit (used only with --kube-api-qps > 0; 30 was controller-runtime's default up to v0.20)")
	fs.StringVar(&o.metricsAddress, "metrics-bind-address", metricsserver.DefaultBindAddress, "where /metrics is served over plain HTTP; 0 turns it off")
	fs.DurationVar(&o.syncPeriod, "sync-period", 10*time.Hour, "how often the informers replay every cached object to the controllers (controller-runtime's SyncPeriod; default 10h)")
	return o
}

func (o *options) validate() error {
	switch {
	case o.children == "":
		return fmt.Errorf("--children is required: the JSON file bench/fleet.ts writes with aihub's renderers")
	case o.workers < 1:
		return fmt.Errorf("--max-concurrent-reconciles=%d: expected 1 or more", o.workers)
	case o.qps > 0 && o.burst < 1:
		return fmt.Errorf("--kube-api-burst=%d: expected 1 or more with --kube-api-qps=%g", o.burst, o.qps)
	case o.syncPeriod <= 0:
		return fmt.Errorf("--sync-period=%s: expected a positive duration such as 20s", o.syncPeriod)
	}
	return nil
}

func main() {
	fs := flag.CommandLine // holds --kubeconfig, which controller-runtime registers
	o := defineFlags(fs)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "aihub-peer: a controller-runtime operator reconciling aihub's tenants and activations into the children a file names (the fleet benchmark's peer).")
		fmt.Fprintln(fs.Output(), "\nUsage: aihub-peer --kubeconfig FILE --children FILE [flags]")
		fs.PrintDefaults()
	}
	for _, a := range os.Args[1:] {
		if a == "--help" || a == "-help" || a == "-h" {
			fs.SetOutput(os.Stdout)
			fs.Usage()
			os.Exit(0)
		}
	}
	_ = fs.Parse(os.Args[1:]) // flag.CommandLine exits on a bad flag
	if err := o.validate(); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(2)
	}
	ctrl.SetLogger(zap.New())
	log := ctrl.Log.WithName("setup")

	children, err := readChildrenFile(o.children)
	if err != nil {
		log.Error(err, "cannot read the children file")
		os.Exit(1)
	}
	kinds, err := children.ChildKinds()
	if err != nil {
		log.Error(err, "bad children file")
		os.Exit(1)
	}

	cfg := ctrl.GetConfigOrDie()
	cfg.QPS = float32(o.qps)
	cfg.Burst = o.burst
	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		log.Error(err, "scheme")
		os.Exit(1)
	}
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:                 scheme,
		Metrics:                metricsserver.Options{BindAddress: o.metricsAddress},
		HealthProbeBindAddress: "0",
		LeaderElection:         false,
		Cache:                  cache.Options{SyncPeriod: &o.syncPeriod},
		// aihub's kinds are unstructured here; a typed operator reads from the cache by default.
		Client: client.Options{Cache: &client.CacheOptions{Unstructured: true}},
	})
	if err != nil {
		log.Error(err, "cannot create the manager")
		os.Exit(1)
	}
	tenants := &TenantReconciler{Client: mgr.GetClient(), Scheme: scheme, Children: children}
	if err := tenants.SetupWithManager(mgr, kinds.Tenant, o.workers); err != nil {
		log.Error(err, "cannot set up the tenant controller")
		os.Exit(1)
	}
	activations := &ActivationReconciler{Client: mgr.GetClient(), Scheme: scheme, Children: children}
	if err := activations.SetupWithManager(mgr, kinds.Activation, o.workers); err != nil {
		log.Error(err, "cannot set up the activation controller")
		os.Exit(1)
	}
	log.Info("starting", "tenants", len(children.Tenants), "activations", len(children.Activations),
		"tenantOwns", fmt.Sprint(kinds.Tenant), "activationOwns", fmt.Sprint(kinds.Activation),
		"maxConcurrentReconciles", o.workers, "qps", cfg.QPS, "burst", cfg.Burst, "syncPeriod", o.syncPeriod.String())
	if err := mgr.Start(ctrl.SetupSignalHandler()); err != nil {
		log.Error(err, "manager stopped")
		os.Exit(1)
	}
}
