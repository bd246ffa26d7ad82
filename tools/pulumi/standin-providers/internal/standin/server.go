package standin

import (
	"context"
	"fmt"
	"os"
	"sort"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	pbempty "google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// Provider is one stand-in provider: its package name ("random"), the version it reports and its
// resource types.
type Provider struct {
	Name      string
	Version   string
	Resources []*Resource
}

func (p *Provider) resource(token string) (*Resource, error) {
	for _, r := range p.Resources {
		if r.Token == token {
			return r, nil
		}
	}
	return nil, status.Errorf(codes.InvalidArgument,
		"the stand-in %s provider does not implement the resource type %q (it has: %s)",
		p.Name, token, p.tokens())
}

func (p *Provider) tokens() string {
	var s string
	for i, r := range p.Resources {
		if i > 0 {
			s += ", "
		}
		s += r.Token
	}
	return s
}

// Main serves the ResourceProvider service: the engine starts the provider (with its own address as the
// last argument, which these providers never need: they call nothing back) and reads the port to dial
// from the provider's first line of stdout.
func Main(p *Provider) {
	name := "pulumi-resource-" + p.Name
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterResourceProviderServer(srv, &server{p: p})
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

// Check fills in defaults and reports wrong kinds, missing required inputs, unknown property names and
// the resource's own validation failures. It keeps secrets as they came.
func (r *Resource) Check(news resource.PropertyMap) (resource.PropertyMap, []Failure) {
	inputs := news.Copy()
	if r.Normalize != nil {
		r.Normalize(inputs)
	}
	var failures []Failure
	for key := range news {
		if p, ok := r.property(string(key)); !ok || !p.Input {
			failures = append(failures, Failure{string(key), fmt.Sprintf(
				"`%s` is not an input of %s (the stand-in provider knows: %s).", key, r.Token, r.inputNames())})
		}
	}
	for _, p := range r.Properties {
		if !p.Input {
			continue
		}
		key := resource.PropertyKey(p.Name)
		v := inputs[key]
		if v.IsNull() && !p.Default.IsNull() {
			inputs[key] = p.Default
			continue
		}
		if v.IsNull() && p.Required {
			failures = append(failures, Failure{p.Name, fmt.Sprintf("Missing required property '%s'.", p.Name)})
			continue
		}
		if reason := checkKind(p, unwrap(v)); reason != "" {
			failures = append(failures, Failure{p.Name, fmt.Sprintf("`%s` %s.", p.Name, reason)})
		}
	}
	if len(failures) == 0 && r.Validate != nil {
		failures = r.Validate(Unwrap(inputs))
	}
	sort.SliceStable(failures, func(i, j int) bool { return failures[i].Property < failures[j].Property })
	return inputs, failures
}

func (r *Resource) property(name string) (Property, bool) { return fieldOf(r.Properties, name) }

func (r *Resource) inputNames() string {
	var s string
	for _, p := range r.Properties {
		if p.Input {
			if s != "" {
				s += ", "
			}
			s += p.Name
		}
	}
	return s
}

// Diff compares checked inputs: since every input of these resources forces a replacement (upstream
// marks them all RequiresReplace, random's keepers too), any change is a replacement of that property. An
// unknown new value counts as a change, as the engine cannot know it is the same. Null and missing are
// the same.
func (r *Resource) Diff(olds, news resource.PropertyMap, ignoreChanges []string) *pulumirpc.DiffResponse {
	olds, news = Unwrap(olds), Unwrap(news)
	ignored := map[string]bool{}
	for _, path := range ignoreChanges {
		ignored[path] = true
	}
	resp := &pulumirpc.DiffResponse{
		Changes:         pulumirpc.DiffResponse_DIFF_NONE,
		DetailedDiff:    map[string]*pulumirpc.PropertyDiff{},
		HasDetailedDiff: true,
	}
	for _, p := range r.Properties {
		if !p.Input || ignored[p.Name] {
			continue
		}
		o, n := olds[resource.PropertyKey(p.Name)], news[resource.PropertyKey(p.Name)]
		if o.IsNull() && n.IsNull() || !n.ContainsUnknowns() && o.DeepEquals(n) {
			continue
		}
		kind := pulumirpc.PropertyDiff_UPDATE_REPLACE
		switch {
		case o.IsNull():
			kind = pulumirpc.PropertyDiff_ADD_REPLACE
		case n.IsNull():
			kind = pulumirpc.PropertyDiff_DELETE_REPLACE
		}
		resp.Changes = pulumirpc.DiffResponse_DIFF_SOME
		resp.Replaces = append(resp.Replaces, p.Name)
		resp.Diffs = append(resp.Diffs, p.Name)
		resp.DetailedDiff[p.Name] = &pulumirpc.PropertyDiff{Kind: kind, InputDiff: true}
	}
	return resp
}

// Outputs is the state of a resource: its inputs as checked (secrets kept), the computed outputs, and
// every property the table calls secret made secret. In a preview the computed outputs are unknown.
func (r *Resource) Outputs(inputs, computed resource.PropertyMap, preview bool) resource.PropertyMap {
	outs := inputs.Copy()
	for _, p := range r.Properties {
		key := resource.PropertyKey(p.Name)
		if !p.Input {
			if preview {
				outs[key] = resource.MakeComputed(resource.NewStringProperty(""))
			} else if v, ok := computed[key]; ok {
				outs[key] = v
			}
		}
		if v := outs[key]; p.Secret && !v.IsNull() && !v.IsSecret() {
			outs[key] = resource.MakeSecret(v)
		}
	}
	return outs
}

// Unwrap returns props with every secret replaced by its value (the generators work on plain values).
func Unwrap(props resource.PropertyMap) resource.PropertyMap {
	out := resource.PropertyMap{}
	for k, v := range props {
		out[k] = unwrap(v)
	}
	return out
}

func unwrap(v resource.PropertyValue) resource.PropertyValue {
	switch {
	case v.IsSecret():
		return unwrap(v.SecretValue().Element)
	case v.IsArray():
		var a []resource.PropertyValue
		for _, e := range v.ArrayValue() {
			a = append(a, unwrap(e))
		}
		return resource.NewArrayProperty(a)
	case v.IsObject():
		return resource.NewObjectProperty(Unwrap(v.ObjectValue()))
	}
	return v
}

// --- the gRPC service -----------------------------------------------------------------------------------

type server struct {
	pulumirpc.UnimplementedResourceProviderServer
	p *Provider
}

var keep = plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true, SkipNulls: true}

func unmarshal(s *structpb.Struct) (resource.PropertyMap, error) {
	if s == nil {
		return resource.PropertyMap{}, nil
	}
	return plugin.UnmarshalProperties(s, keep)
}

func marshal(m resource.PropertyMap) (*structpb.Struct, error) {
	return plugin.MarshalProperties(m, keep)
}

func (s *server) GetPluginInfo(context.Context, *pbempty.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: s.p.Version}, nil
}

func (s *server) GetSchema(context.Context, *pulumirpc.GetSchemaRequest) (*pulumirpc.GetSchemaResponse, error) {
	schema, err := s.p.Schema()
	if err != nil {
		return nil, err
	}
	return &pulumirpc.GetSchemaResponse{Schema: schema}, nil
}

// The providers take no configuration (upstream tls's `proxy` block is not implemented): whatever the
// program sets is accepted and never causes a diff.
func (s *server) CheckConfig(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	return &pulumirpc.CheckResponse{Inputs: req.GetNews()}, nil
}

func (s *server) DiffConfig(context.Context, *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE}, nil
}

func (s *server) Configure(context.Context, *pulumirpc.ConfigureRequest) (*pulumirpc.ConfigureResponse, error) {
	return &pulumirpc.ConfigureResponse{AcceptSecrets: true, SupportsPreview: true}, nil
}

func (s *server) Check(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	r, err := s.p.resource(req.GetType())
	if err != nil {
		return nil, err
	}
	news, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	inputs, failures := r.Check(news)
	out, err := marshal(inputs)
	if err != nil {
		return nil, err
	}
	resp := &pulumirpc.CheckResponse{Inputs: out}
	for _, f := range failures {
		resp.Failures = append(resp.Failures, &pulumirpc.CheckFailure{Property: f.Property, Reason: f.Reason})
	}
	return resp, nil
}

func (s *server) Diff(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	r, err := s.p.resource(req.GetType())
	if err != nil {
		return nil, err
	}
	oldInputs := req.GetOldInputs()
	if oldInputs == nil {
		oldInputs = req.GetOlds()
	}
	olds, err := unmarshal(oldInputs)
	if err != nil {
		return nil, err
	}
	news, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	return r.Diff(olds, news, req.GetIgnoreChanges()), nil
}

func (s *server) Create(_ context.Context, req *pulumirpc.CreateRequest) (*pulumirpc.CreateResponse, error) {
	r, err := s.p.resource(req.GetType())
	if err != nil {
		return nil, err
	}
	inputs, err := unmarshal(req.GetProperties())
	if err != nil {
		return nil, err
	}
	if req.GetPreview() {
		out, err := marshal(r.Outputs(inputs, nil, true))
		return &pulumirpc.CreateResponse{Properties: out}, err
	}
	id, computed, err := r.Create(Unwrap(inputs))
	if err != nil {
		return nil, status.Errorf(codes.Unknown, "%s: %v", req.GetUrn(), err)
	}
	out, err := marshal(r.Outputs(inputs, computed, false))
	if err != nil {
		return nil, err
	}
	return &pulumirpc.CreateResponse{Id: id, Properties: out}, nil
}

// Read (refresh) returns the state as it is: these resources live only in the state, as upstream's
// do (upstream tls's certificates would also turn readyForRenewal on inside the early-renewal window; not
// done here). Without inputs (an import), the inputs are the state's input properties.
func (s *server) Read(_ context.Context, req *pulumirpc.ReadRequest) (*pulumirpc.ReadResponse, error) {
	r, err := s.p.resource(req.GetType())
	if err != nil {
		return nil, err
	}
	inputs := req.GetInputs()
	if inputs == nil {
		state, err := unmarshal(req.GetProperties())
		if err != nil {
			return nil, err
		}
		in := resource.PropertyMap{}
		for _, p := range r.Properties {
			if v, ok := state[resource.PropertyKey(p.Name)]; ok && p.Input {
				in[resource.PropertyKey(p.Name)] = v
			}
		}
		if inputs, err = marshal(in); err != nil {
			return nil, err
		}
	}
	return &pulumirpc.ReadResponse{Id: req.GetId(), Properties: req.GetProperties(), Inputs: inputs}, nil
}

func (s *server) Update(_ context.Context, req *pulumirpc.UpdateRequest) (*pulumirpc.UpdateResponse, error) {
	return nil, status.Errorf(codes.Internal,
		"%s: every input of %s replaces the resource, so the stand-in provider has no update (Diff said replace)",
		req.GetUrn(), req.GetType())
}

// Delete has nothing to do: the resource exists only in the state.
func (s *server) Delete(context.Context, *pulumirpc.DeleteRequest) (*pbempty.Empty, error) {
	return &pbempty.Empty{}, nil
}

func (s *server) Cancel(context.Context, *pbempty.Empty) (*pbempty.Empty, error) {
	return &pbempty.Empty{}, nil
}

// Attach is how `pulumi` talks to a provider started by hand (PULUMI_DEBUG_PROVIDERS); the engine address
// is not needed, as these providers never call the engine.
func (s *server) Attach(context.Context, *pulumirpc.PluginAttach) (*pbempty.Empty, error) {
	return &pbempty.Empty{}, nil
}
