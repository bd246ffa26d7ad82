// pulumi-language-nodejs, a stand-in for the upstream host that the Go module proxy does not serve (see
// internal/host). It runs a program the way upstream does: `node <@pulumi/pulumi/cmd/run> <flags> <program>`,
// with cmd/run resolved from the program's own node_modules, so the program's SDK (and its TypeScript
// support through ts-node) does the rest.
package main

import (
	"context"
	"fmt"
	"os/exec"
	"strings"

	"github.com/mysql-statefulset/tools/pulumi/language-hosts/internal/host"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// cmd/run exits with 32 after it has printed an error the user can act on (nodeJSProcessExitedAfter…).
const bailExitCode = 32

type nodejs struct{}

func (nodejs) BailExitCode() int { return bailExitCode }

func (nodejs) Command(ctx context.Context, req *pulumirpc.RunRequest, engine string) (*exec.Cmd, error) {
	dir := host.ProgramDirectory(req)
	resolve := exec.CommandContext(ctx, "node", "-e",
		"console.log(require.resolve('@pulumi/pulumi/cmd/run'))")
	resolve.Dir = dir
	out, err := resolve.Output()
	if err != nil {
		return nil, fmt.Errorf("could not find @pulumi/pulumi/cmd/run from %s (is `npm install` done?): %w", dir, err)
	}
	args := append([]string{strings.TrimSpace(string(out))}, host.RunnerFlags(req, engine, "-")...)
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	args = append(append(args, host.EntryPoint(req)), req.GetArgs()...)
	cmd := exec.CommandContext(ctx, "node", args...)
	cmd.Dir = req.GetPwd()
	return cmd, nil
}

func main() { host.Main("pulumi-language-nodejs", nodejs{}) }
