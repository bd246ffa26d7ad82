package main

import (
	"crypto/rand"
	"errors"
	"io"
	"math/big"
)

// The character classes of upstream's random provider (internal/random/string.go).
const (
	upperChars   = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	lowerChars   = "abcdefghijklmnopqrstuvwxyz"
	numericChars = "0123456789"
	specialChars = "!@#$%&*()-_=+[]{}<>:?"
)

// passwordParams are RandomPassword's generation inputs.
type passwordParams struct {
	Length                                     int
	Upper, Lower, Numeric, Special             bool
	MinUpper, MinLower, MinNumeric, MinSpecial int
	OverrideSpecial                            string // replaces specialChars when not empty
}

var errEmptyCharset = errors.New("the character set specified is empty: " +
	"set at least one of `upper`, `lower`, `numeric` or `special` to true")

// generatePassword does what upstream does: first the minimum count of each class (drawn from that class
// even when the class itself is turned off, as upstream), then the rest from the union of the enabled
// classes, then a shuffle. Every draw is uniform over its set, from rnd (crypto/rand outside tests).
// Upstream shuffles by sorting on random bytes; a Fisher-Yates shuffle is uniform and changes nothing else.
func generatePassword(p passwordParams, rnd io.Reader) (string, error) {
	special := specialChars
	if p.OverrideSpecial != "" {
		special = p.OverrideSpecial
	}
	var chars string
	for _, class := range []struct {
		on  bool
		set string
	}{{p.Upper, upperChars}, {p.Lower, lowerChars}, {p.Numeric, numericChars}, {p.Special, special}} {
		if class.on {
			chars += class.set
		}
	}
	if chars == "" {
		return "", errEmptyCharset
	}
	result := make([]byte, 0, p.Length)
	for _, class := range []struct {
		min int
		set string
	}{{p.MinUpper, upperChars}, {p.MinLower, lowerChars}, {p.MinNumeric, numericChars}, {p.MinSpecial, special}} {
		drawn, err := draw(rnd, class.set, class.min)
		if err != nil {
			return "", err
		}
		result = append(result, drawn...)
	}
	rest, err := draw(rnd, chars, p.Length-len(result))
	if err != nil {
		return "", err
	}
	result = append(result, rest...)
	for i := len(result) - 1; i > 0; i-- {
		j, err := rand.Int(rnd, big.NewInt(int64(i+1)))
		if err != nil {
			return "", err
		}
		result[i], result[j.Int64()] = result[j.Int64()], result[i]
	}
	return string(result), nil
}

// draw returns n bytes drawn uniformly from set.
func draw(rnd io.Reader, set string, n int) ([]byte, error) {
	out := make([]byte, 0, max(n, 0))
	for range n {
		i, err := rand.Int(rnd, big.NewInt(int64(len(set))))
		if err != nil {
			return nil, err
		}
		out = append(out, set[i.Int64()])
	}
	return out, nil
}

// newUUID returns a random (version 4, RFC 9562) UUID. Upstream formats 16 random bytes without setting
// the version and variant bits (hashicorp/go-uuid); a version 4 UUID is one of those, and valid wherever
// a UUID is parsed strictly.
func newUUID(rnd io.Reader) (string, error) {
	var b [16]byte
	if _, err := io.ReadFull(rnd, b[:]); err != nil {
		return "", err
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	const hex = "0123456789abcdef"
	out := make([]byte, 0, 36)
	for i, c := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out = append(out, '-')
		}
		out = append(out, hex[c>>4], hex[c&0x0f])
	}
	return string(out), nil
}
