// pulumi-language-python, a stand-in for the upstream host that the Go module proxy does not serve (see
// internal/host). It runs a program the way upstream does: `python -u pulumi-language-python-exec <flags>
// <program>`, where that script (from the sdk/v3 module zip) sits next to this binary, with the python of
// the `virtualenv` runtime option when Pulumi.yaml sets one, else python3 from $PATH.
package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"

	"github.com/mysql-statefulset/tools/pulumi/language-hosts/internal/host"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
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

func main() { host.Main("pulumi-language-python", python{}) }
