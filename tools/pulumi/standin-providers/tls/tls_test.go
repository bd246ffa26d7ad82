package main

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"strings"
	"testing"
	"time"

	"github.com/mysql-statefulset/tools/pulumi/standin-providers/internal/standin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// create checks inputs as the engine would, then creates the resource; it returns the state.
func create(t *testing.T, r *standin.Resource, inputs map[string]any) resource.PropertyMap {
	t.Helper()
	checked, failures := r.Check(resource.NewPropertyMapFromMap(inputs))
	if len(failures) != 0 {
		t.Fatalf("%s: check failures %v", r.Token, failures)
	}
	_, outs, err := r.Create(standin.Unwrap(checked))
	if err != nil {
		t.Fatalf("%s: %v", r.Token, err)
	}
	return r.Outputs(checked, outs, false)
}

func str(state resource.PropertyMap, name string) string {
	return standin.Str(standin.Unwrap(state), name)
}

func parseCert(t *testing.T, text string) *x509.Certificate {
	t.Helper()
	block, _ := pem.Decode([]byte(text))
	if block == nil || block.Type != "CERTIFICATE" {
		t.Fatalf("not a certificate PEM: %q", text)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

// The chain components/builders/tls.ts asks for: an ECDSA P-256 CA, a request with the pods' names, the
// certificate the CA signs for it.
func TestChain(t *testing.T) {
	start := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	now = func() time.Time { return start }
	defer func() { now = time.Now }()
	key := map[string]any{"algorithm": "ECDSA", "ecdsaCurve": "P256"}
	caKey := create(t, privateKey, key)
	ca := create(t, selfSignedCert, map[string]any{
		"privateKeyPem":       caKey["privateKeyPem"],
		"subject":             map[string]any{"commonName": "mysql cluster CA", "organization": "mysql-statefulset"},
		"isCaCertificate":     true,
		"validityPeriodHours": 87600,
		"allowedUses":         []any{"cert_signing", "crl_signing", "digital_signature"},
	})
	leafKey := create(t, privateKey, key)
	request := create(t, certRequestResource, map[string]any{
		"privateKeyPem": leafKey["privateKeyPem"],
		"subject":       map[string]any{"commonName": "*.mysql.db.svc.cluster.local", "organization": "mysql-statefulset"},
		"dnsNames":      []any{"*.mysql.db.svc.cluster.local", "localhost"},
		"ipAddresses":   []any{"127.0.0.1", "::1"},
	})
	leaf := create(t, locallySignedCert, map[string]any{
		"certRequestPem":      request["certRequestPem"],
		"caPrivateKeyPem":     caKey["privateKeyPem"],
		"caCertPem":           ca["certPem"],
		"validityPeriodHours": 87600,
		"allowedUses":         []any{"digital_signature", "key_encipherment", "server_auth", "client_auth"},
	})

	caCert, leafCert := parseCert(t, str(ca, "certPem")), parseCert(t, str(leaf, "certPem"))
	if !caCert.IsCA || caCert.KeyUsage != x509.KeyUsageCertSign|x509.KeyUsageCRLSign|x509.KeyUsageDigitalSignature ||
		caCert.Subject.CommonName != "mysql cluster CA" || caCert.Subject.Organization[0] != "mysql-statefulset" {
		t.Fatalf("CA: IsCA %v, KeyUsage %v, subject %v", caCert.IsCA, caCert.KeyUsage, caCert.Subject)
	}
	roots := x509.NewCertPool()
	roots.AddCert(caCert)
	for _, usage := range []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth} {
		if _, err := leafCert.Verify(x509.VerifyOptions{
			DNSName: "mysql-0.mysql.db.svc.cluster.local", Roots: roots, KeyUsages: []x509.ExtKeyUsage{usage},
			CurrentTime: start.Add(time.Hour),
		}); err != nil {
			t.Fatalf("leaf does not verify for %v: %v", usage, err)
		}
	}
	if _, err := leafCert.Verify(x509.VerifyOptions{Roots: roots, CurrentTime: start.Add(87601 * time.Hour)}); err == nil {
		t.Fatal("the leaf verifies after validityPeriodHours")
	}
	if leafCert.IsCA || leafCert.Subject.CommonName != "*.mysql.db.svc.cluster.local" ||
		len(leafCert.IPAddresses) != 2 || leafCert.IPAddresses[1].String() != "::1" ||
		leafCert.KeyUsage != x509.KeyUsageDigitalSignature|x509.KeyUsageKeyEncipherment {
		t.Fatalf("leaf: IsCA %v, subject %v, IPs %v, KeyUsage %v", leafCert.IsCA, leafCert.Subject,
			leafCert.IPAddresses, leafCert.KeyUsage)
	}
	// The certificate is for the request's key, not the CA's.
	leafSigner, err := parsePrivateKey("privateKeyPem", str(leafKey, "privateKeyPem"))
	if err != nil {
		t.Fatal(err)
	}
	if !leafSigner.Public().(*ecdsa.PublicKey).Equal(leafCert.PublicKey) {
		t.Fatal("the leaf certificate's key is not the request's key")
	}
	if str(leaf, "validityStartTime") != "2030-01-02T03:04:05Z" || str(leaf, "validityEndTime") != "2039-12-31T03:04:05Z" ||
		str(leaf, "caKeyAlgorithm") != "ECDSA" || str(ca, "keyAlgorithm") != "ECDSA" || str(request, "keyAlgorithm") != "ECDSA" {
		t.Fatalf("outputs: %v / %v", leaf, ca)
	}
	// Secrets as upstream: the keys, wherever they appear.
	for _, c := range []struct {
		state resource.PropertyMap
		name  resource.PropertyKey
	}{{caKey, "privateKeyPem"}, {caKey, "privateKeyPemPkcs8"}, {caKey, "privateKeyOpenssh"}, {ca, "privateKeyPem"},
		{request, "privateKeyPem"}, {leaf, "caPrivateKeyPem"}} {
		if !c.state[c.name].IsSecret() {
			t.Errorf("%s is not secret", c.name)
		}
	}
	if ca["certPem"].IsSecret() || caKey["publicKeyPem"].IsSecret() {
		t.Error("a certificate or a public key is secret")
	}
}

func TestPrivateKeyAlgorithms(t *testing.T) {
	for _, c := range []struct {
		inputs     map[string]any
		pemType    string
		check      func(any) bool
		hasOpenSSH bool
	}{
		{map[string]any{"algorithm": "RSA"}, "RSA PRIVATE KEY",
			func(k any) bool { return k.(*rsa.PrivateKey).N.BitLen() == 2048 }, true},
		{map[string]any{"algorithm": "RSA", "rsaBits": 3072}, "RSA PRIVATE KEY",
			func(k any) bool { return k.(*rsa.PrivateKey).N.BitLen() == 3072 }, true},
		{map[string]any{"algorithm": "ECDSA"}, "EC PRIVATE KEY",
			func(k any) bool { return k.(*ecdsa.PrivateKey).Curve == elliptic.P224() }, false},
		{map[string]any{"algorithm": "ECDSA", "ecdsaCurve": "P384"}, "EC PRIVATE KEY",
			func(k any) bool { return k.(*ecdsa.PrivateKey).Curve == elliptic.P384() }, true},
		{map[string]any{"algorithm": "ED25519"}, "PRIVATE KEY",
			func(k any) bool { _, ok := k.(ed25519.PrivateKey); return ok }, true},
	} {
		state := create(t, privateKey, c.inputs)
		text := str(state, "privateKeyPem")
		block, _ := pem.Decode([]byte(text))
		if block == nil || block.Type != c.pemType {
			t.Fatalf("%v: privateKeyPem %q", c.inputs, text)
		}
		key, err := parsePrivateKey("privateKeyPem", text)
		if err != nil || !c.check(key) {
			t.Fatalf("%v: key %T, %v", c.inputs, key, err)
		}
		pkcs8, err := parsePrivateKey("privateKeyPemPkcs8", str(state, "privateKeyPemPkcs8"))
		if err != nil || !strings.HasPrefix(str(state, "privateKeyPemPkcs8"), "-----BEGIN PRIVATE KEY-----") {
			t.Fatalf("%v: PKCS#8 %v", c.inputs, err)
		}
		if !pkcs8.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(key.Public()) {
			t.Fatalf("%v: the PKCS#8 form is another key", c.inputs)
		}
		block, _ = pem.Decode([]byte(str(state, "publicKeyPem")))
		if pub, err := x509.ParsePKIXPublicKey(block.Bytes); err != nil ||
			!key.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(pub) {
			t.Fatalf("%v: publicKeyPem %v", c.inputs, err)
		}
		if got := str(state, "publicKeyOpenssh") != "" && str(state, "privateKeyOpenssh") != "" &&
			strings.HasPrefix(str(state, "publicKeyFingerprintSha256"), "SHA256:"); got != c.hasOpenSSH {
			t.Fatalf("%v: OpenSSH outputs present %v, want %v", c.inputs, got, c.hasOpenSSH)
		}
	}
}

func TestCheckFailures(t *testing.T) {
	for _, c := range []struct {
		r        *standin.Resource
		inputs   map[string]any
		property string
		reason   string
	}{
		{privateKey, map[string]any{"algorithm": "DSA"}, "algorithm", "`algorithm` is \"DSA\"; use RSA, ECDSA or ED25519."},
		{privateKey, map[string]any{"algorithm": "ECDSA", "ecdsaCurve": "P255"}, "ecdsaCurve",
			"`ecdsaCurve` is \"P255\"; use P224, P256, P384 or P521."},
		{selfSignedCert, map[string]any{"privateKeyPem": "k", "validityPeriodHours": 1, "allowedUses": []any{"certSigning"}},
			"allowedUses", "`allowedUses` has \"certSigning\"; the accepted values are: " + allowedUseNames() + "."},
		{selfSignedCert, map[string]any{"validityPeriodHours": 1, "allowedUses": []any{}}, "privateKeyPem",
			"`privateKeyPem` must be set."},
		{certRequestResource, map[string]any{"privateKeyPemWo": "k", "privateKeyPemWoVersion": 1}, "privateKeyPemWo",
			"`privateKeyPemWo` (write-only) is not implemented by the stand-in tls provider; set `privateKeyPem`."},
		{certRequestResource, map[string]any{"privateKeyPem": "k", "ipAddresses": []any{"::1", "localhost"}}, "ipAddresses",
			"`ipAddresses` has \"localhost\", which is not an IP address."},
		{certRequestResource, map[string]any{"privateKeyPem": "k", "subject": map[string]any{"name": "x"}}, "subject",
			"`subject` has no field \"name\"."},
		{locallySignedCert, map[string]any{"caPrivateKeyPem": "k", "certRequestPem": "r", "validityPeriodHours": 1,
			"allowedUses": []any{}}, "caCertPem", "Missing required property 'caCertPem'."},
	} {
		_, failures := c.r.Check(resource.NewPropertyMapFromMap(c.inputs))
		if len(failures) != 1 || failures[0].Property != c.property || failures[0].Reason != c.reason {
			t.Errorf("%s %v: failures %q, want one on %q: %q", c.r.Token, c.inputs, failures, c.property, c.reason)
		}
	}
}

// Any input change replaces; a key that is not known yet (its PrivateKey is being replaced) too.
func TestDiff(t *testing.T) {
	base := map[string]any{
		"privateKeyPem": resource.MakeSecret(resource.NewStringProperty("key")), "validityPeriodHours": 1,
		"allowedUses": []any{"cert_signing"}, "subject": map[string]any{"commonName": "a"},
	}
	olds, _ := selfSignedCert.Check(resource.NewPropertyMapFromMap(base))
	if d := selfSignedCert.Diff(olds, olds.Copy(), nil); d.GetChanges() != pulumirpc.DiffResponse_DIFF_NONE {
		t.Fatalf("unchanged inputs: %v", d)
	}
	news := olds.Copy()
	news["subject"] = resource.NewObjectProperty(resource.NewPropertyMapFromMap(map[string]any{"commonName": "b"}))
	news["privateKeyPem"] = resource.MakeComputed(resource.NewStringProperty(""))
	d := selfSignedCert.Diff(olds, news, nil)
	if d.GetChanges() != pulumirpc.DiffResponse_DIFF_SOME || strings.Join(d.GetReplaces(), ",") != "privateKeyPem,subject" {
		t.Fatalf("changed subject and unknown key: %v", d)
	}
}

func TestLocallySignedRefusesAWrongCAKey(t *testing.T) {
	key := map[string]any{"algorithm": "ECDSA", "ecdsaCurve": "P256"}
	caKey, otherKey := create(t, privateKey, key), create(t, privateKey, key)
	ca := create(t, selfSignedCert, map[string]any{"privateKeyPem": caKey["privateKeyPem"], "isCaCertificate": true,
		"validityPeriodHours": 1, "allowedUses": []any{"cert_signing"}})
	request := create(t, certRequestResource, map[string]any{"privateKeyPem": otherKey["privateKeyPem"]})
	checked, _ := locallySignedCert.Check(resource.NewPropertyMapFromMap(map[string]any{
		"certRequestPem": request["certRequestPem"], "caPrivateKeyPem": otherKey["privateKeyPem"],
		"caCertPem": ca["certPem"], "validityPeriodHours": 1, "allowedUses": []any{"server_auth"},
	}))
	if _, _, err := locallySignedCert.Create(standin.Unwrap(checked)); err == nil ||
		!strings.Contains(err.Error(), "doesn't match parent's PublicKey") {
		t.Fatalf("signing with a key that is not the CA's: %v", err)
	}
}
