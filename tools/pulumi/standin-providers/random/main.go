// pulumi-resource-random, a stand-in for the upstream provider that the Go module proxy does not serve
// (see internal/standin): RandomPassword and RandomUuid, with the type tokens, properties, defaults,
// secrets and replace-on-every-change of @pulumi/random 4.21.2.
package main

import (
	"crypto/rand"
	"fmt"

	"golang.org/x/crypto/bcrypt"

	"github.com/mysql-statefulset/tools/pulumi/standin-providers/internal/standin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// Version is the upstream release whose resources these are, with build metadata saying whose build it
// is: the engine compares versions without build metadata, so `>=4.21.2` (what @pulumi/random 4.21.2
// asks for) holds and no version warning is printed, while `pulumi plugin ls` and the logs show it is not
// upstream's binary.
const Version = "4.21.2+mysql-statefulset.standin"

var (
	yes  = resource.NewBoolProperty(true)
	zero = resource.NewNumberProperty(0)
)

var password = &standin.Resource{
	Token: "random:index/randomPassword:RandomPassword",
	Properties: []standin.Property{
		{Name: "keepers", Kind: standin.StringMap, Input: true},
		{Name: "length", Kind: standin.Integer, Input: true, Required: true},
		{Name: "lower", Kind: standin.Boolean, Input: true, Default: yes},
		{Name: "minLower", Kind: standin.Integer, Input: true, Default: zero},
		{Name: "minNumeric", Kind: standin.Integer, Input: true, Default: zero},
		{Name: "minSpecial", Kind: standin.Integer, Input: true, Default: zero},
		{Name: "minUpper", Kind: standin.Integer, Input: true, Default: zero},
		{Name: "number", Kind: standin.Boolean, Input: true, Default: yes},
		{Name: "numeric", Kind: standin.Boolean, Input: true, Default: yes},
		{Name: "overrideSpecial", Kind: standin.String, Input: true},
		{Name: "special", Kind: standin.Boolean, Input: true, Default: yes},
		{Name: "upper", Kind: standin.Boolean, Input: true, Default: yes},
		{Name: "bcryptHash", Kind: standin.String, Secret: true},
		{Name: "result", Kind: standin.String, Secret: true},
	},
	Normalize: normalizeNumeric,
	Validate:  validatePassword,
	Create:    createPassword,
}

var uuid = &standin.Resource{
	Token: "random:index/randomUuid:RandomUuid",
	Properties: []standin.Property{
		{Name: "keepers", Kind: standin.StringMap, Input: true},
		{Name: "result", Kind: standin.String},
	},
	Create: func(resource.PropertyMap) (string, resource.PropertyMap, error) {
		id, err := newUUID(rand.Reader)
		if err != nil {
			return "", nil, err
		}
		return id, resource.PropertyMap{"result": resource.NewStringProperty(id)}, nil
	},
}

// normalizeNumeric: `number` is the deprecated name of `numeric`; when only one is set, the other takes
// its value, so `numeric: false` alone turns digits off.
func normalizeNumeric(inputs resource.PropertyMap) {
	number, numeric := inputs["number"], inputs["numeric"]
	switch {
	case number.IsNull() && !numeric.IsNull():
		inputs["number"] = numeric
	case numeric.IsNull() && !number.IsNull():
		inputs["numeric"] = number
	}
}

func validatePassword(in resource.PropertyMap) []standin.Failure {
	var failures []standin.Failure
	mins := []string{"minLower", "minNumeric", "minSpecial", "minUpper"}
	for _, name := range mins {
		if standin.Known(in, name) && standin.Int(in, name) < 0 {
			failures = append(failures, standin.Failure{Property: name,
				Reason: fmt.Sprintf("`%s` must be at least 0, not %d.", name, standin.Int(in, name))})
		}
	}
	if standin.Known(in, append(mins, "length")...) {
		sum := 0
		for _, name := range mins {
			sum += standin.Int(in, name)
		}
		if length := standin.Int(in, "length"); length < 1 || length < sum {
			failures = append(failures, standin.Failure{Property: "length", Reason: fmt.Sprintf(
				"`length` is %d; it must be at least 1 and at least the sum of "+
					"`minUpper`, `minLower`, `minNumeric` and `minSpecial` (%d).", length, sum)})
		}
	}
	if standin.Known(in, "number", "numeric") && standin.Bool(in, "number") != standin.Bool(in, "numeric") {
		failures = append(failures, standin.Failure{Property: "numeric",
			Reason: "`number` (deprecated) and `numeric` are one setting and differ here; set only `numeric`."})
	}
	if standin.Known(in, "upper", "lower", "numeric", "special") && !standin.Bool(in, "upper") &&
		!standin.Bool(in, "lower") && !standin.Bool(in, "numeric") && !standin.Bool(in, "special") {
		failures = append(failures, standin.Failure{Reason: errEmptyCharset.Error() + "."})
	}
	return failures
}

func createPassword(in resource.PropertyMap) (string, resource.PropertyMap, error) {
	result, err := generatePassword(passwordParams{
		Length:          standin.Int(in, "length"),
		Upper:           standin.Bool(in, "upper"),
		Lower:           standin.Bool(in, "lower"),
		Numeric:         standin.Bool(in, "numeric"),
		Special:         standin.Bool(in, "special"),
		MinUpper:        standin.Int(in, "minUpper"),
		MinLower:        standin.Int(in, "minLower"),
		MinNumeric:      standin.Int(in, "minNumeric"),
		MinSpecial:      standin.Int(in, "minSpecial"),
		OverrideSpecial: standin.Str(in, "overrideSpecial"),
	}, rand.Reader)
	if err != nil {
		return "", nil, err
	}
	// bcrypt reads at most 72 bytes and x/crypto refuses longer input; the hash covers the first 72.
	hash, err := bcrypt.GenerateFromPassword([]byte(result)[:min(len(result), 72)], bcrypt.DefaultCost)
	if err != nil {
		return "", nil, fmt.Errorf("bcrypt of the password: %w", err)
	}
	// Upstream's ID of a password is the fixed string "none": the value must not be an ID.
	return "none", resource.PropertyMap{
		"result":     resource.NewStringProperty(result),
		"bcryptHash": resource.NewStringProperty(string(hash)),
	}, nil
}

func main() {
	standin.Main(&standin.Provider{Name: "random", Version: Version, Resources: []*standin.Resource{password, uuid}})
}
