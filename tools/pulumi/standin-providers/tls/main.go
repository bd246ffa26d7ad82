// pulumi-resource-tls, a stand-in for the upstream provider that the Go module proxy does not serve (see
// internal/standin): PrivateKey, SelfSignedCert, CertRequest and LocallySignedCert, with the type tokens,
// properties, defaults, secrets and replace-on-every-change of @pulumi/tls 5.6.1.
package main

import (
	"crypto/sha1" //nolint:gosec // an ID, as upstream's hashForState
	"encoding/hex"
	"fmt"
	"net"
	"net/url"
	"time"

	"github.com/mysql-statefulset/tools/pulumi/standin-providers/internal/standin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// Version: see the random provider's; @pulumi/tls 5.6.1 asks for >=5.6.1.
const Version = "5.6.1+mysql-statefulset.standin"

var (
	no   = resource.NewBoolProperty(false)
	zero = resource.NewNumberProperty(0)
)

// now is the clock of the certificates; tests set it.
var now = time.Now

func subject(typeName string) standin.Property {
	var fields []standin.Property
	for _, name := range []string{"commonName", "country", "emailAddress", "locality", "organization",
		"organizationalUnit", "postalCode", "province", "serialNumber"} {
		fields = append(fields, standin.Property{Name: name, Kind: standin.String})
	}
	fields = append(fields, standin.Property{Name: "streetAddresses", Kind: standin.StringList})
	return standin.Property{Name: "subject", Kind: standin.Object, Input: true,
		TypeName: "tls:index/" + typeName + ":" + typeName, Fields: fields}
}

// Both write-only forms of a key (upstream's `…Wo`, which never reach the state) are declared so that a
// program setting one gets a clear refusal instead of an unknown-property failure.
func writeOnly(name string) []standin.Property {
	return []standin.Property{
		{Name: name + "Wo", Kind: standin.String, Input: true, Secret: true},
		{Name: name + "WoVersion", Kind: standin.Integer, Input: true},
	}
}

func props(groups ...[]standin.Property) []standin.Property {
	var all []standin.Property
	for _, g := range groups {
		all = append(all, g...)
	}
	return all
}

var privateKey = &standin.Resource{
	Token: "tls:index/privateKey:PrivateKey",
	Properties: []standin.Property{
		{Name: "algorithm", Kind: standin.String, Input: true, Required: true},
		{Name: "ecdsaCurve", Kind: standin.String, Input: true, Default: resource.NewStringProperty("P224")},
		{Name: "rsaBits", Kind: standin.Integer, Input: true, Default: resource.NewNumberProperty(2048)},
		{Name: "privateKeyOpenssh", Kind: standin.String, Secret: true},
		{Name: "privateKeyPem", Kind: standin.String, Secret: true},
		{Name: "privateKeyPemPkcs8", Kind: standin.String, Secret: true},
		{Name: "publicKeyFingerprintMd5", Kind: standin.String},
		{Name: "publicKeyFingerprintSha256", Kind: standin.String},
		{Name: "publicKeyOpenssh", Kind: standin.String},
		{Name: "publicKeyPem", Kind: standin.String},
	},
	Validate: func(in resource.PropertyMap) []standin.Failure {
		var failures []standin.Failure
		if a := standin.Str(in, "algorithm"); standin.Known(in, "algorithm") &&
			a != "RSA" && a != "ECDSA" && a != "ED25519" {
			failures = append(failures, standin.Failure{Property: "algorithm",
				Reason: fmt.Sprintf("`algorithm` is %q; use RSA, ECDSA or ED25519.", a)})
		}
		if c := standin.Str(in, "ecdsaCurve"); standin.Known(in, "ecdsaCurve") && curves[c] == nil {
			failures = append(failures, standin.Failure{Property: "ecdsaCurve",
				Reason: fmt.Sprintf("`ecdsaCurve` is %q; use P224, P256, P384 or P521.", c)})
		}
		if b := standin.Int(in, "rsaBits"); standin.Known(in, "rsaBits") && b < 1024 {
			failures = append(failures, standin.Failure{Property: "rsaBits",
				Reason: fmt.Sprintf("`rsaBits` is %d; use at least 1024 (2048 is the default).", b)})
		}
		return failures
	},
	Create: func(in resource.PropertyMap) (string, resource.PropertyMap, error) {
		key, err := generateKey(standin.Str(in, "algorithm"), standin.Str(in, "ecdsaCurve"),
			standin.Int(in, "rsaBits"))
		if err != nil {
			return "", nil, err
		}
		outs, err := keyOutputs(key)
		if err != nil {
			return "", nil, err
		}
		sum := sha1.Sum([]byte(outs["publicKeyPem"].StringValue())) //nolint:gosec // see the import
		return hex.EncodeToString(sum[:]), outs, nil
	},
}

// certificate are the inputs and outputs both kinds of certificate have.
var certificate = []standin.Property{
	{Name: "allowedUses", Kind: standin.StringList, Input: true, Required: true},
	{Name: "earlyRenewalHours", Kind: standin.Integer, Input: true, Default: zero},
	{Name: "isCaCertificate", Kind: standin.Boolean, Input: true, Default: no},
	{Name: "maxPathLength", Kind: standin.Integer, Input: true, Default: zero},
	{Name: "setSubjectKeyId", Kind: standin.Boolean, Input: true, Default: no},
	{Name: "validityPeriodHours", Kind: standin.Integer, Input: true, Required: true},
	{Name: "certPem", Kind: standin.String},
	{Name: "readyForRenewal", Kind: standin.Boolean},
	{Name: "validityEndTime", Kind: standin.String},
	{Name: "validityStartTime", Kind: standin.String},
}

var altNames = []standin.Property{
	{Name: "dnsNames", Kind: standin.StringList, Input: true},
	{Name: "ipAddresses", Kind: standin.StringList, Input: true},
	{Name: "uris", Kind: standin.StringList, Input: true},
}

var selfSignedCert = &standin.Resource{
	Token: "tls:index/selfSignedCert:SelfSignedCert",
	Properties: props(certificate, altNames, writeOnly("privateKeyPem"), []standin.Property{
		{Name: "privateKeyPem", Kind: standin.String, Input: true, Secret: true},
		{Name: "setAuthorityKeyId", Kind: standin.Boolean, Input: true, Default: no},
		subject("SelfSignedCertSubject"),
		{Name: "keyAlgorithm", Kind: standin.String},
	}),
	Validate: func(in resource.PropertyMap) []standin.Failure {
		return append(append(validateCertificate(in), validateAltNames(in)...), validateKey(in, "privateKeyPem")...)
	},
	Create: func(in resource.PropertyMap) (string, resource.PropertyMap, error) { return selfSigned(in, now()) },
}

var certRequestResource = &standin.Resource{
	Token: "tls:index/certRequest:CertRequest",
	Properties: props(altNames, writeOnly("privateKeyPem"), []standin.Property{
		{Name: "privateKeyPem", Kind: standin.String, Input: true, Secret: true},
		subject("CertRequestSubject"),
		{Name: "certRequestPem", Kind: standin.String},
		{Name: "keyAlgorithm", Kind: standin.String},
	}),
	Validate: func(in resource.PropertyMap) []standin.Failure {
		return append(validateAltNames(in), validateKey(in, "privateKeyPem")...)
	},
	Create: certRequest,
}

var locallySignedCert = &standin.Resource{
	Token: "tls:index/locallySignedCert:LocallySignedCert",
	Properties: props(certificate, writeOnly("caPrivateKeyPem"), []standin.Property{
		{Name: "caCertPem", Kind: standin.String, Input: true, Required: true},
		{Name: "caPrivateKeyPem", Kind: standin.String, Input: true, Secret: true},
		{Name: "certRequestPem", Kind: standin.String, Input: true, Required: true},
		{Name: "caKeyAlgorithm", Kind: standin.String},
	}),
	Validate: func(in resource.PropertyMap) []standin.Failure {
		return append(validateCertificate(in), validateKey(in, "caPrivateKeyPem")...)
	},
	Create: func(in resource.PropertyMap) (string, resource.PropertyMap, error) { return locallySigned(in, now()) },
}

func validateCertificate(in resource.PropertyMap) []standin.Failure {
	var failures []standin.Failure
	if standin.Known(in, "allowedUses") {
		for _, use := range standin.Strings(in, "allowedUses") {
			if _, ok := keyUsages[use]; ok {
				continue
			}
			if _, ok := extKeyUsages[use]; ok {
				continue
			}
			failures = append(failures, standin.Failure{Property: "allowedUses", Reason: fmt.Sprintf(
				"`allowedUses` has %q; the accepted values are: %s.", use, allowedUseNames())})
		}
	}
	for _, name := range []string{"validityPeriodHours", "earlyRenewalHours"} {
		if standin.Known(in, name) && standin.Int(in, name) < 0 {
			failures = append(failures, standin.Failure{Property: name,
				Reason: fmt.Sprintf("`%s` is %d; it must be at least 0.", name, standin.Int(in, name))})
		}
	}
	return failures
}

func validateAltNames(in resource.PropertyMap) []standin.Failure {
	var failures []standin.Failure
	if standin.Known(in, "ipAddresses") {
		for _, s := range standin.Strings(in, "ipAddresses") {
			if net.ParseIP(s) == nil {
				failures = append(failures, standin.Failure{Property: "ipAddresses",
					Reason: fmt.Sprintf("`ipAddresses` has %q, which is not an IP address.", s)})
			}
		}
	}
	if standin.Known(in, "uris") {
		for _, s := range standin.Strings(in, "uris") {
			if _, err := url.Parse(s); err != nil {
				failures = append(failures, standin.Failure{Property: "uris",
					Reason: fmt.Sprintf("`uris` has %q, which is not a URI: %v.", s, err)})
			}
		}
	}
	return failures
}

// validateKey: the key must be given as `name`; the write-only form is not implemented.
func validateKey(in resource.PropertyMap, name string) []standin.Failure {
	if !in[resource.PropertyKey(name+"Wo")].IsNull() {
		return []standin.Failure{{Property: name + "Wo", Reason: fmt.Sprintf(
			"`%sWo` (write-only) is not implemented by the stand-in tls provider; set `%s`.", name, name)}}
	}
	if in[resource.PropertyKey(name)].IsNull() {
		return []standin.Failure{{Property: name, Reason: fmt.Sprintf("`%s` must be set.", name)}}
	}
	return nil
}

func main() {
	standin.Main(&standin.Provider{Name: "tls", Version: Version, Resources: []*standin.Resource{
		privateKey, selfSignedCert, certRequestResource, locallySignedCert,
	}})
}
