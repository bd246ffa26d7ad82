// pulumi-resource-kubernetes built from the Go module proxy. Upstream's main package embeds
// schema-embed.json and terraform-mapping-embed.json, which its `go generate` writes and which the
// module zip does not contain; build.sh copies schema.json and terraform-mapping.json from the module
// cache into a build copy of this folder under those names, so nothing generated is kept in the repo.
package main

import (
	_ "embed"

	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version"
)

//go:embed schema-embed.json
var pulumiSchema []byte

//go:embed terraform-mapping-embed.json
var terraformMapping []byte

func main() {
	provider.Serve("kubernetes", version.Version, pulumiSchema, terraformMapping)
}
