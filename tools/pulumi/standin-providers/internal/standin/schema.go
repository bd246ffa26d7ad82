package standin

import (
	"encoding/json"
	"strings"
)

// Schema is a minimal Pulumi package schema made from the property tables: enough for `pulumi package
// get-schema` and for YAML programs to type these resources, without upstream's descriptions, functions
// or language sections.
func (p *Provider) Schema() (string, error) {
	types := map[string]any{}
	resources := map[string]any{}
	for _, r := range p.Resources {
		props, inputs := map[string]any{}, map[string]any{}
		var required, requiredInputs []string
		for _, prop := range r.Properties {
			t := schemaType(prop, types)
			props[prop.Name] = t
			required = append(required, prop.Name) // the state always has every property
			if prop.Input {
				inputs[prop.Name] = t
				if prop.Required {
					requiredInputs = append(requiredInputs, prop.Name)
				}
			}
		}
		resources[r.Token] = map[string]any{
			"properties":      props,
			"required":        required,
			"inputProperties": inputs,
			"requiredInputs":  requiredInputs,
		}
	}
	schema := map[string]any{
		"name":        p.Name,
		"version":     strings.SplitN(p.Version, "+", 2)[0],
		"description": "Stand-in " + p.Name + " provider of mysql-statefulset (tools/pulumi/standin-providers).",
		"resources":   resources,
		"types":       types,
		// As upstream's bridged schemas: `index/randomPassword` is module `index`, file randomPassword.
		"meta": map[string]any{"moduleFormat": "(.*)(?:/[^/]*)"},
	}
	b, err := json.Marshal(schema)
	return string(b), err
}

func schemaType(p Property, types map[string]any) map[string]any {
	var t map[string]any
	switch p.Kind {
	case String:
		t = map[string]any{"type": "string"}
	case Integer:
		t = map[string]any{"type": "integer"}
	case Boolean:
		t = map[string]any{"type": "boolean"}
	case StringList:
		t = map[string]any{"type": "array", "items": map[string]any{"type": "string"}}
	case StringMap:
		t = map[string]any{"type": "object", "additionalProperties": map[string]any{"type": "string"}}
	case Object:
		fields := map[string]any{}
		for _, f := range p.Fields {
			fields[f.Name] = schemaType(f, types)
		}
		types[p.TypeName] = map[string]any{"type": "object", "properties": fields}
		t = map[string]any{"$ref": "#/types/" + p.TypeName}
	}
	if p.Secret {
		t["secret"] = true
	}
	if !p.Default.IsNull() {
		t["default"] = p.Default.V
	}
	return t
}
