// pulumi-language-nodejs, a stand-in for the upstream host that the Go module proxy does not serve (see
// internal/host). It runs a program the way upstream does: `node <@pulumi/pulumi/cmd/run> <flags> <program>`,
// with cmd/run resolved from the program's own node_modules, so the program's SDK (and its TypeScript
// support through ts-node) does the rest.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"

	"github.com/mysql-statefulset/tools/pulumi/language-hosts/internal/host"
	"github.com/pulumi/pulumi/sdk/v3/nodejs/npm"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// cmd/run exits with 32 after it has printed an error the user can act on (nodeJSProcessExitedAfter…).
const bailExitCode = 32

type nodejs struct{}

func (nodejs) BailExitCode() int { return bailExitCode }

// resolve finds one of @pulumi/pulumi's cmd scripts the way node would from dir: the program's own SDK.
func resolve(ctx context.Context, dir, script string) (string, error) {
	cmd := exec.CommandContext(ctx, "node", "-e", "console.log(require.resolve(process.argv[1]))",
		"@pulumi/pulumi/cmd/"+script)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("could not find @pulumi/pulumi/cmd/%s from %s (is `npm install` done?): %w",
			script, dir, err)
	}
	return strings.TrimSpace(string(out)), nil
}

func (nodejs) Command(ctx context.Context, req *pulumirpc.RunRequest, engine string) (*exec.Cmd, error) {
	run, err := resolve(ctx, host.ProgramDirectory(req), "run")
	if err != nil {
		return nil, err
	}
	// Pulumi.yaml's runtime options, as the SDK's cmd/run reads them: `typescript` (default true: the
	// program goes through ts-node), `tsconfig` (a file other than tsconfig.json), `nodeargs` (for node).
	options := req.GetInfo().GetOptions().AsMap()
	typescript := true
	if value, ok := options["typescript"].(bool); ok {
		typescript = value
	}
	env := []string{"PULUMI_NODEJS_TYPESCRIPT=" + strconv.FormatBool(typescript)}
	if tsconfig, ok := options["tsconfig"].(string); ok && tsconfig != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+tsconfig)
	}
	var args []string
	if nodeargs, ok := options["nodeargs"].(string); ok {
		args = strings.Fields(nodeargs)
	}
	args = append(append(args, run), host.RunnerFlags(req, engine, "-")...)
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	args = append(append(args, host.EntryPoint(req)), req.GetArgs()...)
	cmd := exec.CommandContext(ctx, "node", args...)
	cmd.Dir = req.GetPwd()
	cmd.Env = env
	return cmd, nil
}

// PluginCommand runs a policy pack with cmd/run-policy-pack (`<engine address> <pack folder>`) and any other
// plugin, such as a component provider (PulumiPlugin.yaml), with cmd/run-plugin (`<folder> <args…>`).
func (nodejs) PluginCommand(ctx context.Context, req *pulumirpc.RunPluginRequest) (*exec.Cmd, error) {
	dir := req.GetInfo().GetProgramDirectory()
	if dir == "" {
		dir = req.GetPwd()
	}
	// "analyzer" is apitype.AnalyzerPlugin, whose package would pull ESC and more into this module.
	if req.GetKind() != "analyzer" {
		script, err := resolve(ctx, dir, "run-plugin")
		if err != nil {
			return nil, err
		}
		return exec.CommandContext(ctx, "node", append([]string{script, dir}, req.GetArgs()...)...), nil
	}
	script, err := resolve(ctx, dir, "run-policy-pack")
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, "node", append(append([]string{script}, req.GetArgs()...), dir)...)
	// @pulumi/policy reads the pack's version from ./package.json, so the pack runs in its own folder.
	cmd.Dir = dir
	return cmd, nil
}

// InstallDependencies does what upstream's host does (sdk/nodejs/cmd/pulumi-language-nodejs, v3.248.0):
// `npm install` (or the package manager the folder uses, through the SDK's own npm package) in the
// program directory, or at the root of the npm/yarn workspace it belongs to. No .nvmrc/fnm handling
// (UseLanguageVersionTools) and no forced tsc (a conformance-test flag of upstream's).
func (nodejs) InstallDependencies(
	ctx context.Context, req *pulumirpc.InstallDependenciesRequest, stdout, stderr io.Writer,
) error {
	fmt.Fprint(stdout, "Installing dependencies...\n\n")
	root := req.GetInfo().GetProgramDirectory()
	if workspace, err := npm.FindWorkspaceRoot(root); err == nil {
		fmt.Fprintf(stdout, "Detected workspace root at %s\n", workspace)
		root = workspace
	} else if !errors.Is(err, npm.ErrNotInWorkspace) {
		return fmt.Errorf("failure while trying to find workspace root: %w", err)
	}
	manager, _ := req.GetInfo().GetOptions().AsMap()["packagemanager"].(string)
	if _, err := npm.Install(ctx, npm.PackageManagerType(manager), root, false /*production*/, stdout, stderr); err != nil {
		return err
	}
	fmt.Fprint(stdout, "Finished installing dependencies\n\n")
	return nil
}

func main() { host.Main("pulumi-language-nodejs", nodejs{}) }
