//go:build tools

// Records the upstream main package in go.mod; build.sh builds it with `go build <package>`.
package tools

import _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
