package main

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1" //nolint:gosec // the subject key ID is a SHA-1 of the key (RFC 5280 4.2.1.2), as upstream's
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/url"
	"sort"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/mysql-statefulset/tools/pulumi/standin-providers/internal/standin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

var curves = map[string]elliptic.Curve{
	"P224": elliptic.P224(), "P256": elliptic.P256(), "P384": elliptic.P384(), "P521": elliptic.P521(),
}

// generateKey makes a key as PrivateKey's inputs say: RSA of rsaBits, ECDSA on ecdsaCurve, or ED25519.
func generateKey(algorithm, curve string, rsaBits int) (crypto.Signer, error) {
	switch algorithm {
	case "RSA":
		return rsa.GenerateKey(rand.Reader, rsaBits)
	case "ECDSA":
		c, ok := curves[curve]
		if !ok {
			return nil, fmt.Errorf("unsupported ECDSA curve %q", curve)
		}
		return ecdsa.GenerateKey(c, rand.Reader)
	case "ED25519":
		_, key, err := ed25519.GenerateKey(rand.Reader)
		return key, err
	}
	return nil, fmt.Errorf("unsupported algorithm %q", algorithm)
}

func pemString(kind string, der []byte) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der}))
}

// keyOutputs are PrivateKey's outputs, encoded as upstream encodes them: privateKeyPem in the algorithm's
// traditional form (PKCS#1 for RSA, SEC 1 for ECDSA, PKCS#8 for ED25519, which has no other), PKCS#8,
// OpenSSH forms and fingerprints (empty for P224, which SSH does not support), the PKIX public key.
func keyOutputs(key crypto.Signer) (resource.PropertyMap, error) {
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	var privatePem string
	switch k := key.(type) {
	case *rsa.PrivateKey:
		privatePem = pemString("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(k))
	case *ecdsa.PrivateKey:
		der, err := x509.MarshalECPrivateKey(k)
		if err != nil {
			return nil, err
		}
		privatePem = pemString("EC PRIVATE KEY", der)
	default:
		privatePem = pemString("PRIVATE KEY", pkcs8)
	}
	pkix, err := x509.MarshalPKIXPublicKey(key.Public())
	if err != nil {
		return nil, err
	}
	var sshPrivate, sshPublic, md5, sha256 string
	if sshKey, err := ssh.NewPublicKey(key.Public()); err == nil {
		sshPublic = string(ssh.MarshalAuthorizedKey(sshKey))
		md5, sha256 = ssh.FingerprintLegacyMD5(sshKey), ssh.FingerprintSHA256(sshKey)
		block, err := ssh.MarshalPrivateKey(key, "")
		if err != nil {
			return nil, err
		}
		sshPrivate = string(pem.EncodeToMemory(block))
	}
	return resource.NewPropertyMapFromMap(map[string]any{
		"privateKeyPem":              privatePem,
		"privateKeyPemPkcs8":         pemString("PRIVATE KEY", pkcs8),
		"privateKeyOpenssh":          sshPrivate,
		"publicKeyPem":               pemString("PUBLIC KEY", pkix),
		"publicKeyOpenssh":           sshPublic,
		"publicKeyFingerprintMd5":    md5,
		"publicKeyFingerprintSha256": sha256,
	}), nil
}

// parsePrivateKey reads a private key PEM in any of the forms keyOutputs writes.
func parsePrivateKey(name, text string) (crypto.Signer, error) {
	block, _ := pem.Decode([]byte(text))
	if block == nil {
		return nil, fmt.Errorf("`%s` holds no PEM block", name)
	}
	var key any
	var err error
	switch block.Type {
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(block.Bytes)
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	default:
		return nil, fmt.Errorf("`%s` is a %q PEM block, not a private key", name, block.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("`%s`: %w", name, err)
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("`%s`: unsupported key type %T", name, key)
	}
	return signer, nil
}

// algorithmOf names a key's algorithm as upstream's keyAlgorithm outputs do.
func algorithmOf(key crypto.PublicKey) string {
	switch key.(type) {
	case *rsa.PublicKey:
		return "RSA"
	case *ecdsa.PublicKey:
		return "ECDSA"
	case ed25519.PublicKey:
		return "ED25519"
	}
	return ""
}

// The allowedUses values upstream accepts (Terraform's snake_case names; @pulumi/tls's docs show them
// camelCased, which upstream's validator refuses).
var (
	keyUsages = map[string]x509.KeyUsage{
		"digital_signature":  x509.KeyUsageDigitalSignature,
		"content_commitment": x509.KeyUsageContentCommitment,
		"key_encipherment":   x509.KeyUsageKeyEncipherment,
		"data_encipherment":  x509.KeyUsageDataEncipherment,
		"key_agreement":      x509.KeyUsageKeyAgreement,
		"cert_signing":       x509.KeyUsageCertSign,
		"crl_signing":        x509.KeyUsageCRLSign,
		"encipher_only":      x509.KeyUsageEncipherOnly,
		"decipher_only":      x509.KeyUsageDecipherOnly,
	}
	extKeyUsages = map[string]x509.ExtKeyUsage{
		"any_extended":                      x509.ExtKeyUsageAny,
		"server_auth":                       x509.ExtKeyUsageServerAuth,
		"client_auth":                       x509.ExtKeyUsageClientAuth,
		"code_signing":                      x509.ExtKeyUsageCodeSigning,
		"email_protection":                  x509.ExtKeyUsageEmailProtection,
		"ipsec_end_system":                  x509.ExtKeyUsageIPSECEndSystem,
		"ipsec_tunnel":                      x509.ExtKeyUsageIPSECTunnel,
		"ipsec_user":                        x509.ExtKeyUsageIPSECUser,
		"timestamping":                      x509.ExtKeyUsageTimeStamping,
		"ocsp_signing":                      x509.ExtKeyUsageOCSPSigning,
		"microsoft_server_gated_crypto":     x509.ExtKeyUsageMicrosoftServerGatedCrypto,
		"netscape_server_gated_crypto":      x509.ExtKeyUsageNetscapeServerGatedCrypto,
		"microsoft_commercial_code_signing": x509.ExtKeyUsageMicrosoftCommercialCodeSigning,
		"microsoft_kernel_code_signing":     x509.ExtKeyUsageMicrosoftKernelCodeSigning,
	}
)

func allowedUseNames() string {
	var names []string
	for name := range keyUsages {
		names = append(names, name)
	}
	for name := range extKeyUsages {
		names = append(names, name)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// subjectName is the distinguished name a subject object describes.
func subjectName(in resource.PropertyMap) pkix.Name {
	v := in["subject"]
	if !v.IsObject() {
		return pkix.Name{}
	}
	s := v.ObjectValue()
	one := func(field string) []string {
		if value := standin.Str(s, field); value != "" {
			return []string{value}
		}
		return nil
	}
	name := pkix.Name{
		CommonName:         standin.Str(s, "commonName"),
		SerialNumber:       standin.Str(s, "serialNumber"),
		Organization:       one("organization"),
		OrganizationalUnit: one("organizationalUnit"),
		Country:            one("country"),
		Province:           one("province"),
		Locality:           one("locality"),
		PostalCode:         one("postalCode"),
		StreetAddress:      standin.Strings(s, "streetAddresses"),
	}
	if email := standin.Str(s, "emailAddress"); email != "" {
		name.ExtraNames = append(name.ExtraNames, pkix.AttributeTypeAndValue{
			Type: asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}, Value: email})
	}
	return name
}

// subjectAltNames are the DNS names, IP addresses and URIs of a certificate or a request.
func subjectAltNames(in resource.PropertyMap) ([]string, []net.IP, []*url.URL, error) {
	var ips []net.IP
	for _, s := range standin.Strings(in, "ipAddresses") {
		ip := net.ParseIP(s)
		if ip == nil {
			return nil, nil, nil, fmt.Errorf("`ipAddresses`: %q is not an IP address", s)
		}
		ips = append(ips, ip)
	}
	var uris []*url.URL
	for _, s := range standin.Strings(in, "uris") {
		u, err := url.Parse(s)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("`uris`: %w", err)
		}
		uris = append(uris, u)
	}
	return standin.Strings(in, "dnsNames"), ips, uris, nil
}

// subjectKeyID is the SHA-1 of the public key's bits, RFC 5280's method (1).
func subjectKeyID(pub crypto.PublicKey) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, err
	}
	var info struct {
		Algorithm pkix.AlgorithmIdentifier
		PublicKey asn1.BitString
	}
	if _, err := asn1.Unmarshal(der, &info); err != nil {
		return nil, err
	}
	sum := sha1.Sum(info.PublicKey.Bytes) //nolint:gosec // see the import
	return sum[:], nil
}

// issue fills in what every certificate of these resources has (serial, validity, basic constraints,
// usages, subject key ID), signs template with signer under parent, and returns the common outputs and
// the ID (the serial number in decimal, as upstream).
func issue(
	in resource.PropertyMap, template, parent *x509.Certificate, pub crypto.PublicKey, signer crypto.Signer,
	now time.Time,
) (string, resource.PropertyMap, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return "", nil, err
	}
	template.SerialNumber = serial
	template.NotBefore = now
	template.NotAfter = now.Add(time.Duration(standin.Int(in, "validityPeriodHours")) * time.Hour)
	template.BasicConstraintsValid = true
	if standin.Bool(in, "isCaCertificate") {
		template.IsCA = true
		// 0 (the default) and -1 leave the path length open; a positive value limits it.
		template.MaxPathLen = max(standin.Int(in, "maxPathLength"), 0)
	}
	for _, use := range standin.Strings(in, "allowedUses") {
		if ku, ok := keyUsages[use]; ok {
			template.KeyUsage |= ku
		} else if eku, ok := extKeyUsages[use]; ok {
			template.ExtKeyUsage = append(template.ExtKeyUsage, eku)
		}
	}
	if standin.Bool(in, "setSubjectKeyId") {
		if template.SubjectKeyId, err = subjectKeyID(pub); err != nil {
			return "", nil, err
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, template, parent, pub, signer)
	if err != nil {
		return "", nil, err
	}
	return serial.String(), resource.NewPropertyMapFromMap(map[string]any{
		"certPem":           pemString("CERTIFICATE", der),
		"readyForRenewal":   false,
		"validityStartTime": template.NotBefore.UTC().Format(time.RFC3339),
		"validityEndTime":   template.NotAfter.UTC().Format(time.RFC3339),
	}), nil
}

func selfSigned(in resource.PropertyMap, now time.Time) (string, resource.PropertyMap, error) {
	key, err := parsePrivateKey("privateKeyPem", standin.Str(in, "privateKeyPem"))
	if err != nil {
		return "", nil, err
	}
	dns, ips, uris, err := subjectAltNames(in)
	if err != nil {
		return "", nil, err
	}
	template := &x509.Certificate{Subject: subjectName(in), DNSNames: dns, IPAddresses: ips, URIs: uris}
	if standin.Bool(in, "setAuthorityKeyId") {
		// Self-signed: the authority is the subject itself.
		if template.AuthorityKeyId, err = subjectKeyID(key.Public()); err != nil {
			return "", nil, err
		}
	}
	id, outs, err := issue(in, template, template, key.Public(), key, now)
	if err != nil {
		return "", nil, err
	}
	outs["keyAlgorithm"] = resource.NewStringProperty(algorithmOf(key.Public()))
	return id, outs, nil
}

func certRequest(in resource.PropertyMap) (string, resource.PropertyMap, error) {
	key, err := parsePrivateKey("privateKeyPem", standin.Str(in, "privateKeyPem"))
	if err != nil {
		return "", nil, err
	}
	dns, ips, uris, err := subjectAltNames(in)
	if err != nil {
		return "", nil, err
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		Subject: subjectName(in), DNSNames: dns, IPAddresses: ips, URIs: uris,
	}, key)
	if err != nil {
		return "", nil, err
	}
	csr := pemString("CERTIFICATE REQUEST", der)
	sum := sha1.Sum([]byte(csr)) //nolint:gosec // an ID, as upstream's hashForState
	return hex.EncodeToString(sum[:]), resource.NewPropertyMapFromMap(map[string]any{
		"certRequestPem": csr,
		"keyAlgorithm":   algorithmOf(key.Public()),
	}), nil
}

// locallySigned issues the request's subject, names and key, under the CA certificate, signed by the CA
// key.
func locallySigned(in resource.PropertyMap, now time.Time) (string, resource.PropertyMap, error) {
	block, _ := pem.Decode([]byte(standin.Str(in, "certRequestPem")))
	if block == nil || block.Type != "CERTIFICATE REQUEST" {
		return "", nil, errors.New("`certRequestPem` holds no CERTIFICATE REQUEST PEM block")
	}
	csr, err := x509.ParseCertificateRequest(block.Bytes)
	if err != nil {
		return "", nil, fmt.Errorf("`certRequestPem`: %w", err)
	}
	if err := csr.CheckSignature(); err != nil {
		return "", nil, fmt.Errorf("`certRequestPem`: %w", err)
	}
	block, _ = pem.Decode([]byte(standin.Str(in, "caCertPem")))
	if block == nil || block.Type != "CERTIFICATE" {
		return "", nil, errors.New("`caCertPem` holds no CERTIFICATE PEM block")
	}
	ca, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return "", nil, fmt.Errorf("`caCertPem`: %w", err)
	}
	caKey, err := parsePrivateKey("caPrivateKeyPem", standin.Str(in, "caPrivateKeyPem"))
	if err != nil {
		return "", nil, err
	}
	template := &x509.Certificate{
		Subject: csr.Subject, DNSNames: csr.DNSNames, IPAddresses: csr.IPAddresses, URIs: csr.URIs,
	}
	id, outs, err := issue(in, template, ca, csr.PublicKey, caKey, now)
	if err != nil {
		return "", nil, err
	}
	outs["caKeyAlgorithm"] = resource.NewStringProperty(algorithmOf(caKey.Public()))
	return id, outs, nil
}
