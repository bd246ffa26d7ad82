// pulumi-language-python, a stand-in for the upstream host that the Go module proxy does not serve (see
// internal/host). It runs a program the way upstream does: `python -u pulumi-language-python-exec <flags>
// <program>`, where that script (from the sdk/v3 module zip) sits next to this binary, with the python of
// the `virtualenv` runtime option when Pulumi.yaml sets one, else python3 from $PATH.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/mysql-statefulset/tools/pulumi/language-hosts/internal/host"
	codegen "github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/pulumi/pulumi/sdk/v3/python/toolchain"
)

type python struct{}

// The exec script exits with 32 after it has printed an error the user can act on.
func (python) BailExitCode() int { return 32 }

func (python) Command(ctx context.Context, req *pulumirpc.RunRequest, engine string) (*exec.Cmd, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	execScript := filepath.Join(filepath.Dir(self), "pulumi-language-python-exec")
	interpreter := "python3"
	var env []string
	if venv, ok := req.GetInfo().GetOptions().AsMap()["virtualenv"].(string); ok && venv != "" {
		if !filepath.IsAbs(venv) {
			venv = filepath.Join(req.GetInfo().GetRootDirectory(), venv)
		}
		interpreter = filepath.Join(venv, "bin", "python")
		if _, err := os.Stat(interpreter); err != nil {
			return nil, fmt.Errorf("the `virtualenv` option names %s, which has no bin/python: %w", venv, err)
		}
		env = []string{"VIRTUAL_ENV=" + venv, "PATH=" + filepath.Join(venv, "bin") + ":" + os.Getenv("PATH")}
	}
	args := append([]string{"-u", execScript}, host.RunnerFlags(req, engine, "_")...)
	args = append(args, "--dry_run="+strconv.FormatBool(req.GetDryRun()), host.EntryPoint(req))
	cmd := exec.CommandContext(ctx, interpreter, append(args, req.GetArgs()...)...)
	cmd.Dir = req.GetPwd()
	cmd.Env = env
	return cmd, nil
}

// pipToolchain is the toolchain upstream resolves for a project without uv.lock or poetry.lock: pip, in the
// `virtualenv` of Pulumi.yaml (the only one this stand-in supports; `toolchain:` is not read).
func pipToolchain(info *pulumirpc.ProgramInfo) (toolchain.Toolchain, error) {
	venv, _ := info.GetOptions().AsMap()["virtualenv"].(string)
	return toolchain.ResolveToolchain(toolchain.PythonOptions{
		Root: info.GetRootDirectory(), ProgramDir: info.GetProgramDirectory(), Virtualenv: venv, Toolchain: toolchain.Pip,
	})
}

// InstallDependencies as upstream's host with pip: the virtualenv made if missing, then
// `pip install -r requirements.txt` (sdk/v3 python/toolchain, upstream's own code).
func (python) InstallDependencies(
	ctx context.Context, req *pulumirpc.InstallDependenciesRequest, stdout, stderr io.Writer,
) error {
	tc, err := pipToolchain(req.GetInfo())
	if err != nil {
		return err
	}
	return tc.InstallDependencies(ctx, req.GetInfo().GetProgramDirectory(), false, true, stdout, stderr)
}

// GeneratePackage writes a Python SDK for a schema with upstream's generator (pkg/v3 codegen/python), as
// upstream's host does; `pulumi package add` and `pulumi package gen-sdk` call it.
func (python) GeneratePackage(
	ctx context.Context, req *pulumirpc.GeneratePackageRequest,
) (*pulumirpc.GeneratePackageResponse, error) {
	loader, err := schema.NewLoaderClient(req.GetLoaderTarget())
	if err != nil {
		return nil, err
	}
	defer loader.Close()
	var spec schema.PackageSpec
	if err := json.Unmarshal([]byte(req.GetSchema()), &spec); err != nil {
		return nil, err
	}
	cached := schema.NewCachedLoader(loader)
	pkg, diags, err := schema.BindSpec(spec, cached, schema.ValidationOptions{AllowDanglingReferences: true})
	if err != nil {
		return nil, err
	}
	if diags.HasErrors() {
		return &pulumirpc.GeneratePackageResponse{Diagnostics: plugin.HclDiagnosticsToRPCDiagnostics(diags)}, nil
	}
	files, err := codegen.GeneratePackage("pulumi-language-python", pkg, req.GetExtraFiles(), cached)
	if err != nil {
		return nil, err
	}
	for name, data := range files {
		out := filepath.Join(req.GetDirectory(), name)
		if err := os.MkdirAll(filepath.Dir(out), 0o700); err != nil {
			return nil, err
		}
		if err := os.WriteFile(out, data, 0o600); err != nil {
			return nil, err
		}
	}
	return &pulumirpc.GeneratePackageResponse{Diagnostics: plugin.HclDiagnosticsToRPCDiagnostics(diags)}, nil
}

// Link adds each generated SDK's folder to requirements.txt (pip's LinkPackages, upstream's code); the
// engine then calls InstallDependencies. The distribution name is the generator's default, pulumi_<name>.
func (python) Link(ctx context.Context, req *pulumirpc.LinkRequest) (*pulumirpc.LinkResponse, error) {
	tc, err := pipToolchain(req.GetInfo())
	if err != nil {
		return nil, err
	}
	packages := map[string]string{}
	var instructions []string
	for _, dep := range req.GetPackages() {
		module := "pulumi_" + strings.ReplaceAll(dep.GetPackage().GetName(), "-", "_")
		packages[module] = dep.GetPath()
		instructions = append(instructions, "import "+module+" as "+strings.ReplaceAll(dep.GetPackage().GetName(), "-", "_"))
	}
	if err := tc.LinkPackages(ctx, packages); err != nil {
		return nil, err
	}
	return &pulumirpc.LinkResponse{
		ImportInstructions: "You can then import the SDK in your Python code with:\n\n  " + strings.Join(instructions, "\n  "),
	}, nil
}

func main() { host.Main("pulumi-language-python", python{}) }
