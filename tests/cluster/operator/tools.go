//go:build tools

// Package tools pins the kubeflow spark-operator command the tests build
// (`go build github.com/kubeflow/spark-operator/v2/cmd/operator`). The
// operator's go.mod replaces its k8s.io modules with v0.32.5; replace
// directives apply only in the main module, so go.mod copies that block.
package tools

import (
	_ "github.com/kubeflow/spark-operator/v2/cmd/operator"
)
