package httpapi

import "strings"

// bearerToken reads the credential of an Authorization header in the Bearer scheme. The scheme's
// name is case-insensitive and one or more spaces follow it (RFC 9110 §11.1, §11.4).
func bearerToken(h string) (string, bool) {
	scheme, rest, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	return strings.TrimLeft(rest, " "), true
}
