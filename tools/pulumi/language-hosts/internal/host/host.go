// Package host is the part the two stand-in language hosts share: the gRPC server the engine dials,
// the environment the program gets, and how a program's exit becomes the Run response.
//
// The Go module proxy serves neither github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3
// nor .../sdk/python/cmd/pulumi-language-python/v3 (403 "This module version is not available"), so
// these hosts are written here against the engine's LanguageRuntime protocol from sdk/v3. They do what
// `pulumi up/preview/destroy` need, and the Node host runs Node plugins (policy packs, component
// providers); every other method answers Unimplemented.
package host

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	pbempty "google.golang.org/protobuf/types/known/emptypb"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// Version is what GetPluginInfo reports: the SDK release the hosts are built against, marked as ours.
const Version = "3.248.0+mysql-statefulset"

// Program is what a language needs to turn a Run request into a command.
type Program interface {
	// Command returns the program's command line and extra environment, given the flags every
	// language's runner takes (monitor, engine, project, …).
	Command(ctx context.Context, req *pulumirpc.RunRequest, engine string) (*exec.Cmd, error)
	// BailExitCode is the exit code with which the runner says it has already shown the error
	// (0: the runner has none).
	BailExitCode() int
}

// PluginRunner is what a language that can run plugins written in it (policy packs, component providers)
// adds to Program.
type PluginRunner interface {
	// PluginCommand returns the command of the plugin the request names; its Dir defaults to the
	// request's Pwd.
	PluginCommand(ctx context.Context, req *pulumirpc.RunPluginRequest) (*exec.Cmd, error)
}

// DependencyInstaller is what a language that installs a program's or a plugin's dependencies (`pulumi
// install`, and the engine before it runs a plugin folder such as a PulumiPlugin.yaml package) adds to Program.
type DependencyInstaller interface {
	// InstallDependencies installs the dependencies of the request's program directory, writing progress
	// to stdout and stderr.
	InstallDependencies(ctx context.Context, req *pulumirpc.InstallDependenciesRequest, stdout, stderr io.Writer) error
}

// PackageGenerator is what a language that generates SDKs and links them into a program (`pulumi package add`,
// `pulumi package gen-sdk`) adds to Program.
type PackageGenerator interface {
	GeneratePackage(ctx context.Context, req *pulumirpc.GeneratePackageRequest) (*pulumirpc.GeneratePackageResponse, error)
	Link(ctx context.Context, req *pulumirpc.LinkRequest) (*pulumirpc.LinkResponse, error)
}

type server struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	program Program
	engine  string
}

// Main serves the LanguageRuntime service: the engine starts the host with its own address as the last
// argument and reads the port to dial from the host's first line of stdout.
func Main(name string, program Program) {
	if len(os.Args) < 2 {
		fmt.Fprintf(os.Stderr, "usage: %s [flags] ENGINE_ADDRESS\n", name)
		os.Exit(2)
	}
	s := &server{program: program, engine: os.Args[len(os.Args)-1]}
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, s)
			return nil
		},
		Options: rpcutil.OpenTracingServerInterceptorOptions(nil),
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: could not start the gRPC server: %v\n", name, err)
		os.Exit(1)
	}
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
		os.Exit(1)
	}
}

func (s *server) GetPluginInfo(context.Context, *pbempty.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: Version}, nil
}

// GetRequiredPackages reports none: the engine then starts each provider when the program first asks for
// it, from $PATH or the plugin cache, and never tries to download one up front.
func (s *server) GetRequiredPackages(
	context.Context, *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	return &pulumirpc.GetRequiredPackagesResponse{}, nil
}

func (s *server) GetRequiredPlugins(
	context.Context, *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	return &pulumirpc.GetRequiredPluginsResponse{}, nil
}

func (s *server) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	cmd, err := s.program.Command(ctx, req, s.engine)
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	// Both runners read these as a JSON object and a JSON array: `null` breaks Python's.
	config := req.GetConfig()
	if config == nil {
		config = map[string]string{}
	}
	configJSON, err := json.Marshal(config)
	if err != nil {
		return nil, err
	}
	secretKeys := req.GetConfigSecretKeys()
	if secretKeys == nil {
		secretKeys = []string{}
	}
	secretKeysJSON, err := json.Marshal(secretKeys)
	if err != nil {
		return nil, err
	}
	cmd.Env = append(append(os.Environ(), cmd.Env...),
		"PULUMI_CONFIG="+string(configJSON),
		"PULUMI_CONFIG_SECRET_KEYS="+string(secretKeysJSON))
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	err = cmd.Run()
	var exitErr *exec.ExitError
	switch {
	case err == nil:
		return &pulumirpc.RunResponse{}, nil
	case errors.As(err, &exitErr) && s.program.BailExitCode() > 0 && exitErr.ExitCode() == s.program.BailExitCode():
		return &pulumirpc.RunResponse{Bail: true}, nil
	case errors.As(err, &exitErr):
		return &pulumirpc.RunResponse{
			Error: fmt.Sprintf("program exited with non-zero exit code: %d", exitErr.ExitCode()),
		}, nil
	default:
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("could not run the program: %v", err)}, nil
	}
}

// InstallDependencies streams the language's installer's output back to the engine.
func (s *server) InstallDependencies(
	req *pulumirpc.InstallDependenciesRequest, stream grpc.ServerStreamingServer[pulumirpc.InstallDependenciesResponse],
) error {
	installer, ok := s.program.(DependencyInstaller)
	if !ok {
		return status.Error(codes.Unimplemented, "method InstallDependencies not implemented")
	}
	closer, stdout, stderr, err := rpcutil.MakeInstallDependenciesStreams(stream, req.GetIsTerminal())
	if err != nil {
		return err
	}
	defer closer.Close()
	if err := installer.InstallDependencies(stream.Context(), req, stdout, stderr); err != nil {
		return err
	}
	return closer.Close()
}

func (s *server) GeneratePackage(
	ctx context.Context, req *pulumirpc.GeneratePackageRequest,
) (*pulumirpc.GeneratePackageResponse, error) {
	generator, ok := s.program.(PackageGenerator)
	if !ok {
		return nil, status.Error(codes.Unimplemented, "method GeneratePackage not implemented")
	}
	return generator.GeneratePackage(ctx, req)
}

func (s *server) Link(ctx context.Context, req *pulumirpc.LinkRequest) (*pulumirpc.LinkResponse, error) {
	generator, ok := s.program.(PackageGenerator)
	if !ok {
		return nil, status.Error(codes.Unimplemented, "method Link not implemented")
	}
	return generator.Link(ctx, req)
}

// RunPlugin starts a plugin written in the host's language and streams its stdout (where it announces its
// port), its stderr and its exit code back to the engine, which ends the plugin by cancelling the call.
func (s *server) RunPlugin(
	req *pulumirpc.RunPluginRequest, stream grpc.ServerStreamingServer[pulumirpc.RunPluginResponse],
) error {
	runner, ok := s.program.(PluginRunner)
	if !ok {
		return status.Error(codes.Unimplemented, "this language host runs no plugins")
	}
	cmd, err := runner.PluginCommand(stream.Context(), req)
	if err != nil {
		return err
	}
	if cmd.Dir == "" {
		cmd.Dir = req.GetPwd()
	}
	cmd.Env = append(append(os.Environ(), req.GetEnv()...), cmd.Env...)
	var mu sync.Mutex
	send := func(r *pulumirpc.RunPluginResponse) error {
		mu.Lock()
		defer mu.Unlock()
		return stream.Send(r)
	}
	cmd.Stdout = writerFunc(func(p []byte) error {
		return send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stdout{Stdout: p}})
	})
	cmd.Stderr = writerFunc(func(p []byte) error {
		return send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stderr{Stderr: p}})
	})
	err = cmd.Run()
	var exitErr *exec.ExitError
	switch {
	case err == nil:
		return send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: 0}})
	case errors.As(err, &exitErr):
		return send(&pulumirpc.RunPluginResponse{
			Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: int32(exitErr.ExitCode())},
		})
	default:
		return err
	}
}

// writerFunc sends each write on; exec copies a pipe into it, so p is reused after the call: copy it.
type writerFunc func(p []byte) error

func (f writerFunc) Write(p []byte) (int, error) {
	if err := f(append([]byte(nil), p...)); err != nil {
		return 0, err
	}
	return len(p), nil
}

// ProgramDirectory is where the program's files are (Pulumi.yaml's folder, or its `main:` folder).
func ProgramDirectory(req *pulumirpc.RunRequest) string {
	if dir := req.GetInfo().GetProgramDirectory(); dir != "" {
		return dir
	}
	return req.GetPwd()
}

// EntryPoint is the program to run, absolute: `main:` of Pulumi.yaml, or the program directory.
func EntryPoint(req *pulumirpc.RunRequest) string {
	entry := req.GetInfo().GetEntryPoint()
	if entry == "" {
		entry = "."
	}
	return filepath.Join(ProgramDirectory(req), entry)
}

// RunnerFlags are the flags both runners (Node's cmd/run, Python's pulumi-language-python-exec) take;
// multi-word flags are spelled with sep ("-" for Node, "_" for Python). The dry-run flag differs in form
// too, so each language adds its own.
func RunnerFlags(req *pulumirpc.RunRequest, engine, sep string) []string {
	flags := []string{
		"--monitor=" + req.GetMonitorAddress(),
		"--engine=" + engine,
		"--project=" + req.GetProject(),
		"--stack=" + req.GetStack(),
		"--pwd=" + req.GetPwd(),
		"--parallel=" + strconv.Itoa(int(req.GetParallel())),
	}
	if org := req.GetOrganization(); org != "" {
		flags = append(flags, "--organization="+org)
	}
	if root := req.GetInfo().GetRootDirectory(); root != "" {
		flags = append(flags, "--root"+sep+"directory="+root)
	}
	return flags
}
