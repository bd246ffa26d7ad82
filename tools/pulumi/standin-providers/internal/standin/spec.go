// Package standin is the part the stand-in random and tls providers share: each resource type is declared
// once as a table of properties (name, kind, input or output, default, secret), from which the server
// derives Check (defaults, types, required inputs), Diff (every input replaces), the secret marking of
// outputs and the schema; a resource only adds its validation and its Create.
//
// The Go module proxy serves no version of github.com/pulumi/pulumi-random/provider/v4,
// github.com/pulumi/pulumi-tls/provider/v5, pulumi-go-provider or the Terraform providers behind them (403
// "This module version is not available"), so these providers are written here against the engine's
// ResourceProvider protocol from sdk/v3.
package standin

import (
	"fmt"
	"math"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// Kind is a property's type, as the npm SDKs declare it.
type Kind int

const (
	String Kind = iota
	Integer
	Boolean
	StringList // string[]
	StringMap  // {[key: string]: string}
	Object     // a nested type with its own Fields, such as tls's subject
)

// Property is one property of a resource type.
type Property struct {
	Name string
	Kind Kind
	// Input: the program sets it (and the state echoes it); otherwise the provider computes it.
	Input    bool
	Required bool
	// Default, when not null, is what Check fills in for a missing input, as upstream's schema defaults do.
	Default resource.PropertyValue
	// Secret: the value is always a secret in the state, as upstream marks it.
	Secret bool
	// TypeName and Fields describe an Object: the schema's type token and its fields (all optional
	// strings or string lists).
	TypeName string
	Fields   []Property
}

// Failure is a Check failure: the property (empty for the whole resource) and a sentence saying what is
// wrong and what to do.
type Failure struct {
	Property string
	Reason   string
}

// Resource is one resource type: its upstream type token, its properties, and the two things that are its
// own.
type Resource struct {
	Token      string
	Properties []Property
	// Normalize, if set, runs in Check before the defaults are filled in (random's `number` and
	// `numeric`, two names of one setting, take each other's value).
	Normalize func(inputs resource.PropertyMap)
	// Validate checks inputs beyond their kinds (ranges, allowed values, combinations). It sees the
	// inputs with secrets unwrapped and defaults filled in; unknown values are computed values it must
	// skip.
	Validate func(inputs resource.PropertyMap) []Failure
	// Create makes the resource from its checked inputs (secrets unwrapped, all known) and returns its
	// ID and its computed outputs.
	Create func(inputs resource.PropertyMap) (string, resource.PropertyMap, error)
}

// checkKind reports why v (known, secrets unwrapped) is not of kind p.Kind, or "".
func checkKind(p Property, v resource.PropertyValue) string {
	if v.IsNull() || v.ContainsUnknowns() {
		return ""
	}
	switch p.Kind {
	case String:
		if !v.IsString() {
			return "must be a string"
		}
	case Integer:
		if !v.IsNumber() || v.NumberValue() != math.Trunc(v.NumberValue()) {
			return "must be a whole number"
		}
	case Boolean:
		if !v.IsBool() {
			return "must be true or false"
		}
	case StringList:
		if !v.IsArray() {
			return "must be a list of strings"
		}
		for _, e := range v.ArrayValue() {
			if !e.IsString() && !e.ContainsUnknowns() {
				return "must be a list of strings"
			}
		}
	case StringMap:
		if !v.IsObject() {
			return "must be a map of strings"
		}
		for _, e := range v.ObjectValue() {
			if !e.IsString() && !e.ContainsUnknowns() {
				return "must be a map of strings"
			}
		}
	case Object:
		if !v.IsObject() {
			return "must be an object"
		}
		for key, e := range v.ObjectValue() {
			field, ok := fieldOf(p.Fields, string(key))
			if !ok {
				return fmt.Sprintf("has no field %q", key)
			}
			if reason := checkKind(field, e); reason != "" {
				return fmt.Sprintf("field %q %s", key, reason)
			}
		}
	}
	return ""
}

func fieldOf(fields []Property, name string) (Property, bool) {
	for _, f := range fields {
		if f.Name == name {
			return f, true
		}
	}
	return Property{}, false
}

// Int reads an Integer input that Check has filled in (0 when null).
func Int(inputs resource.PropertyMap, name string) int {
	v := inputs[resource.PropertyKey(name)]
	if !v.IsNumber() {
		return 0
	}
	return int(v.NumberValue())
}

// Bool reads a Boolean input (false when null).
func Bool(inputs resource.PropertyMap, name string) bool {
	v := inputs[resource.PropertyKey(name)]
	return v.IsBool() && v.BoolValue()
}

// Str reads a String input ("" when null).
func Str(inputs resource.PropertyMap, name string) string {
	v := inputs[resource.PropertyKey(name)]
	if !v.IsString() {
		return ""
	}
	return v.StringValue()
}

// Strings reads a StringList input (nil when null).
func Strings(inputs resource.PropertyMap, name string) []string {
	v := inputs[resource.PropertyKey(name)]
	if !v.IsArray() {
		return nil
	}
	var out []string
	for _, e := range v.ArrayValue() {
		if e.IsString() {
			out = append(out, e.StringValue())
		}
	}
	return out
}

// Known is true when the named input holds no unknown value.
func Known(inputs resource.PropertyMap, names ...string) bool {
	for _, name := range names {
		if inputs[resource.PropertyKey(name)].ContainsUnknowns() {
			return false
		}
	}
	return true
}
