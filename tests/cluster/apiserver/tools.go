//go:build tools

// Package tools pins the Kubernetes control-plane commands the tests build
// (kube-controller-manager runs only the controllers the tests need).
// k8s.io/kubernetes requires its staging modules at v0.0.0 (replaced by
// ./staging in its own repository), so go.mod maps each to its published
// v0.33.x release.
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
)
