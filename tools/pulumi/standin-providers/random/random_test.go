package main

import (
	"crypto/rand"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/mysql-statefulset/tools/pulumi/standin-providers/internal/standin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

func count(s, set string) int {
	n := 0
	for _, c := range s {
		if strings.ContainsRune(set, c) {
			n++
		}
	}
	return n
}

func TestGeneratePassword(t *testing.T) {
	all := upperChars + lowerChars + numericChars + specialChars
	cases := []struct {
		name    string
		params  passwordParams
		allowed string
		mins    map[string]int // class -> at least this many
	}{
		{"the defaults use every class", passwordParams{Length: 64, Upper: true, Lower: true, Numeric: true, Special: true},
			all, nil},
		{"special false (the component's passwords) leaves letters and digits",
			passwordParams{Length: 32, Upper: true, Lower: true, Numeric: true}, upperChars + lowerChars + numericChars, nil},
		{"overrideSpecial replaces the special characters",
			passwordParams{Length: 40, Special: true, OverrideSpecial: "_"}, "_", nil},
		{"the minimums are met", passwordParams{Length: 12, Lower: true, MinUpper: 3, MinNumeric: 4, MinSpecial: 2},
			all, map[string]int{upperChars: 3, numericChars: 4, specialChars: 2}},
		{"a minimum draws from its class even when the class is off, as upstream",
			passwordParams{Length: 10, Lower: true, MinUpper: 10}, upperChars, map[string]int{upperChars: 10}},
		{"minimum special characters come from overrideSpecial",
			passwordParams{Length: 8, Lower: true, MinSpecial: 8, OverrideSpecial: "#"}, "#", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for range 50 {
				got, err := generatePassword(c.params, rand.Reader)
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != c.params.Length {
					t.Fatalf("%q: length %d, want %d", got, len(got), c.params.Length)
				}
				if n := count(got, c.allowed); n != len(got) {
					t.Fatalf("%q has characters outside %q", got, c.allowed)
				}
				for set, min := range c.mins {
					if n := count(got, set); n < min {
						t.Fatalf("%q has %d of %q, want at least %d", got, n, set, min)
					}
				}
			}
		})
	}
	if _, err := generatePassword(passwordParams{Length: 8}, rand.Reader); err != errEmptyCharset {
		t.Fatalf("no class: got %v, want %v", err, errEmptyCharset)
	}
}

// The minimums are shuffled in, not left at the front.
func TestGeneratePasswordShuffles(t *testing.T) {
	front := 0
	for range 200 {
		got, err := generatePassword(passwordParams{Length: 20, Lower: true, MinUpper: 1}, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		if strings.ContainsAny(got[:1], upperChars) {
			front++
		}
	}
	if front > 100 {
		t.Fatalf("the upper-case minimum was first in %d of 200 passwords", front)
	}
}

func check(t *testing.T, r *standin.Resource, inputs map[string]any) (resource.PropertyMap, []standin.Failure) {
	t.Helper()
	return r.Check(resource.NewPropertyMapFromMap(inputs))
}

func TestPasswordCheck(t *testing.T) {
	got, failures := check(t, password, map[string]any{"length": 32, "special": false})
	if len(failures) != 0 {
		t.Fatalf("failures: %v", failures)
	}
	want := resource.NewPropertyMapFromMap(map[string]any{
		"length": 32, "special": false, "upper": true, "lower": true, "numeric": true, "number": true,
		"minUpper": 0, "minLower": 0, "minNumeric": 0, "minSpecial": 0,
	})
	if !got.DeepEquals(want) {
		t.Fatalf("checked inputs:\n got %v\nwant %v", got, want)
	}

	got, _ = check(t, password, map[string]any{"length": 8, "numeric": false})
	if got["number"].BoolValue() {
		t.Fatalf("numeric false alone must turn number off too: %v", got)
	}

	for _, c := range []struct {
		inputs   map[string]any
		property string
		reason   string
	}{
		{map[string]any{}, "length", "Missing required property 'length'."},
		{map[string]any{"length": 4, "minUpper": 3, "minNumeric": 2}, "length",
			"`length` is 4; it must be at least 1 and at least the sum of `minUpper`, `minLower`, `minNumeric` " +
				"and `minSpecial` (5)."},
		{map[string]any{"length": 0}, "length",
			"`length` is 0; it must be at least 1 and at least the sum of `minUpper`, `minLower`, `minNumeric` " +
				"and `minSpecial` (0)."},
		{map[string]any{"length": 8, "number": true, "numeric": false}, "numeric",
			"`number` (deprecated) and `numeric` are one setting and differ here; set only `numeric`."},
		{map[string]any{"length": 8, "upper": false, "lower": false, "numeric": false, "special": false}, "",
			errEmptyCharset.Error() + "."},
		{map[string]any{"length": 8.5}, "length", "`length` must be a whole number."},
		{map[string]any{"length": 8, "size": 3}, "size",
			"`size` is not an input of random:index/randomPassword:RandomPassword (the stand-in provider knows: " +
				"keepers, length, lower, minLower, minNumeric, minSpecial, minUpper, number, numeric, " +
				"overrideSpecial, special, upper)."},
	} {
		_, failures := check(t, password, c.inputs)
		if len(failures) != 1 || failures[0].Property != c.property || failures[0].Reason != c.reason {
			t.Errorf("%v: failures %q, want one on %q: %q", c.inputs, failures, c.property, c.reason)
		}
	}
}

// An unknown length (from another resource, in a preview) is not validated.
func TestPasswordCheckUnknown(t *testing.T) {
	_, failures := password.Check(resource.PropertyMap{
		"length": resource.MakeComputed(resource.NewStringProperty("")),
	})
	if len(failures) != 0 {
		t.Fatalf("failures: %v", failures)
	}
}

func TestPasswordCreate(t *testing.T) {
	inputs, _ := check(t, password, map[string]any{"length": 32, "special": false})
	id, outs, err := password.Create(standin.Unwrap(inputs))
	if err != nil {
		t.Fatal(err)
	}
	result := outs["result"].StringValue()
	if id != "none" || !regexp.MustCompile(`^[A-Za-z0-9]{32}$`).MatchString(result) {
		t.Fatalf("id %q, result %q", id, result)
	}
	if err := bcrypt.CompareHashAndPassword([]byte(outs["bcryptHash"].StringValue()), []byte(result)); err != nil {
		t.Fatalf("bcryptHash does not match result: %v", err)
	}
	state := password.Outputs(inputs, outs, false)
	for _, name := range []resource.PropertyKey{"result", "bcryptHash"} {
		if !state[name].IsSecret() {
			t.Errorf("%s is not secret in the state", name)
		}
	}
	if state["length"].IsSecret() || state["length"].NumberValue() != 32 {
		t.Errorf("length in the state: %v", state["length"])
	}
	preview := password.Outputs(inputs, nil, true)
	if !preview["result"].ContainsUnknowns() {
		t.Errorf("result is known in a preview: %v", preview["result"])
	}
}

func TestUUID(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		id, outs, err := uuid.Create(resource.PropertyMap{})
		if err != nil {
			t.Fatal(err)
		}
		if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(id) ||
			outs["result"].StringValue() != id || seen[id] {
			t.Fatalf("id %q, result %v", id, outs["result"])
		}
		seen[id] = true
	}
}

func TestDiff(t *testing.T) {
	olds, _ := check(t, password, map[string]any{"length": 32, "special": false, "keepers": map[string]any{"a": "1"}})
	unknown := resource.MakeComputed(resource.NewStringProperty(""))
	for _, c := range []struct {
		name     string
		news     map[string]any
		replaces []string
		kind     pulumirpc.PropertyDiff_Kind
	}{
		{"the same inputs: no change", map[string]any{"length": 32, "special": false, "keepers": map[string]any{"a": "1"}},
			nil, 0},
		{"a keeper changes: replace", map[string]any{"length": 32, "special": false, "keepers": map[string]any{"a": "2"}},
			[]string{"keepers"}, pulumirpc.PropertyDiff_UPDATE_REPLACE},
		{"keepers go: replace", map[string]any{"length": 32, "special": false},
			[]string{"keepers"}, pulumirpc.PropertyDiff_DELETE_REPLACE},
		{"length changes: replace", map[string]any{"length": 30, "special": false, "keepers": map[string]any{"a": "1"}},
			[]string{"length"}, pulumirpc.PropertyDiff_UPDATE_REPLACE},
		{"special left out, so its default true: replace",
			map[string]any{"length": 32, "keepers": map[string]any{"a": "1"}},
			[]string{"special"}, pulumirpc.PropertyDiff_UPDATE_REPLACE},
		{"overrideSpecial added: replace",
			map[string]any{"length": 32, "special": false, "keepers": map[string]any{"a": "1"}, "overrideSpecial": "_"},
			[]string{"overrideSpecial"}, pulumirpc.PropertyDiff_ADD_REPLACE},
	} {
		t.Run(c.name, func(t *testing.T) {
			news, _ := check(t, password, c.news)
			assertDiff(t, password.Diff(olds, news, nil), c.replaces, c.kind)
		})
	}
	t.Run("an unknown keeper: replace", func(t *testing.T) {
		news := olds.Copy()
		news["keepers"] = resource.NewObjectProperty(resource.PropertyMap{"a": unknown})
		assertDiff(t, password.Diff(olds, news, nil), []string{"keepers"}, pulumirpc.PropertyDiff_UPDATE_REPLACE)
	})
	t.Run("a secret of the same value: no change", func(t *testing.T) {
		news := olds.Copy()
		news["keepers"] = resource.MakeSecret(olds["keepers"])
		assertDiff(t, password.Diff(olds, news, nil), nil, 0)
	})
	t.Run("ignoreChanges: no change", func(t *testing.T) {
		news, _ := check(t, password, map[string]any{"length": 30, "special": false, "keepers": map[string]any{"a": "1"}})
		assertDiff(t, password.Diff(olds, news, []string{"length"}), nil, 0)
	})
}

func assertDiff(t *testing.T, got *pulumirpc.DiffResponse, replaces []string, kind pulumirpc.PropertyDiff_Kind) {
	t.Helper()
	if len(replaces) == 0 {
		if got.GetChanges() != pulumirpc.DiffResponse_DIFF_NONE || len(got.GetReplaces()) != 0 {
			t.Fatalf("diff: %v, want none", got)
		}
		return
	}
	if got.GetChanges() != pulumirpc.DiffResponse_DIFF_SOME || strings.Join(got.GetReplaces(), ",") != strings.Join(replaces, ",") {
		t.Fatalf("diff: %v, want replaces %v", got, replaces)
	}
	for _, name := range replaces {
		if got.GetDetailedDiff()[name].GetKind() != kind {
			t.Fatalf("detailed diff of %s: %v, want %v", name, got.GetDetailedDiff()[name], kind)
		}
	}
}

// The schema names both resources with their upstream tokens, the secret outputs and the defaults.
func TestSchema(t *testing.T) {
	text, err := (&standin.Provider{Name: "random", Version: Version, Resources: []*standin.Resource{password, uuid}}).Schema()
	if err != nil {
		t.Fatal(err)
	}
	var schema struct {
		Name      string
		Version   string
		Meta      map[string]string
		Resources map[string]struct {
			Properties      map[string]map[string]any
			InputProperties map[string]map[string]any
			RequiredInputs  []string
		}
	}
	if err := json.Unmarshal([]byte(text), &schema); err != nil {
		t.Fatal(err)
	}
	p := schema.Resources["random:index/randomPassword:RandomPassword"]
	// Without upstream's moduleFormat the engine refuses the schema ("nested modules under index are not
	// allowed").
	if schema.Name != "random" || schema.Version != "4.21.2" || schema.Meta["moduleFormat"] != "(.*)(?:/[^/]*)" || p.Properties["result"]["secret"] != true ||
		p.InputProperties["upper"]["default"] != true || strings.Join(p.RequiredInputs, ",") != "length" ||
		schema.Resources["random:index/randomUuid:RandomUuid"].Properties["result"]["type"] != "string" {
		t.Fatalf("schema: %s", text)
	}
}
