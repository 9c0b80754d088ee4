// Package jwtauth verifies OAuth 2.0 / OpenID Connect bearer JWTs issued by a council's identity
// provider, so that front ends can call the API with a signed-in user's token instead of an API key.
//
// A Verifier checks the signature against the provider's published JSON Web Key Set (found through
// OpenID Connect discovery unless configured directly), the registered claims (iss, aud, exp, nbf,
// iat) and OnePlan's own claims (organisation, role, practitioner, young people), and returns the
// caller's Identity.
//
// Only asymmetric signatures are accepted (RS256, RS384, RS512, ES256, ES384, PS256): "none" and
// HMAC are refused, which also rules out the classic confusion where a token is signed with HS256
// using the provider's public key as the secret.
package jwtauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/MicahParks/keyfunc/v3"
	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
	"golang.org/x/time/rate"

	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/redact"
)

// ErrInvalidToken is wrapped by every verification failure. Error messages name what was wrong
// but never include the token or the personal values of its claims.
var ErrInvalidToken = errors.New("invalid token")

// Defaults and limits.
const (
	DefaultLeeway = 60 * time.Second // clock skew allowed on exp, nbf and iat when Config.Leeway is zero
	MaxLeeway     = 5 * time.Minute  // the most clock skew New accepts

	DefaultOrganisationClaim = "oneplan_org"
	DefaultRoleClaim         = "oneplan_role"
	DefaultPractitionerClaim = "oneplan_practitioner"
	DefaultYoungPeopleClaim  = "oneplan_young_people"

	discoveryPath    = "/.well-known/openid-configuration"
	httpTimeout      = 10 * time.Second // each discovery or JWKS request
	refreshInterval  = 15 * time.Minute // background JWKS refresh
	unknownKIDEvery  = time.Minute      // at most one refetch per this, when a token names an unknown key
	unknownKIDWait   = 5 * time.Second  // longest a Verify waits on that limit (and the refetch)
	maxDiscoveryBody = 1 << 20          // bytes
	maxTokenBytes    = 32 << 10         // longer tokens are refused before parsing
)

// allowedAlgs are the only signing algorithms accepted.
var allowedAlgs = []string{"RS256", "RS384", "RS512", "ES256", "ES384", "PS256"}

// ClaimNames names the private claims carrying OnePlan's authorisation data. Zero fields take the
// defaults (DefaultOrganisationClaim and so on).
type ClaimNames struct {
	Organisation string // the organisation's UUID; required
	Role         string // one of auth.Roles; required
	Practitioner string // the practitioner's UUID; optional
	YoungPeople  string // array of young people's UUIDs, for the family role; optional
}

func (c ClaimNames) withDefaults() ClaimNames {
	if c.Organisation == "" {
		c.Organisation = DefaultOrganisationClaim
	}
	if c.Role == "" {
		c.Role = DefaultRoleClaim
	}
	if c.Practitioner == "" {
		c.Practitioner = DefaultPractitionerClaim
	}
	if c.YoungPeople == "" {
		c.YoungPeople = DefaultYoungPeopleClaim
	}
	return c
}

// Config says which identity provider and audience to trust.
type Config struct {
	Issuer     string        // required; compared exactly with "iss"
	Audience   string        // required; must be in "aud"
	JWKSURL    string        // optional; if empty, discovered from Issuer + "/.well-known/openid-configuration" (jwks_uri)
	Leeway     time.Duration // clock skew allowed on exp/nbf/iat; zero means DefaultLeeway; at most MaxLeeway
	Claims     ClaimNames    // zero fields take the defaults
	HTTPClient *http.Client  // optional, for discovery and JWKS; defaults to a client with a timeout
	// Logger hears of failed key refreshes (by class only, see package redact); nil: nowhere. The
	// library's own default would write the raw error to the process-wide default logger.
	Logger *slog.Logger
}

// Identity is who a verified token says the caller is.
type Identity struct {
	Subject        string    // the provider's "sub"
	OrganisationID string    // UUID, canonical lower-case form
	Role           auth.Role // parsed with auth.ParseRole
	PractitionerID string    // optional UUID, canonical lower-case form
	YoungPersonIDs []string  // for the family role: the young people this parent/carer or young person may see
}

// Principal returns the identity as the API's authenticated caller.
func (id Identity) Principal() auth.Principal {
	return auth.Principal{
		Subject:        id.Subject,
		OrganisationID: id.OrganisationID,
		Role:           id.Role,
		PractitionerID: id.PractitionerID,
		YoungPersonIDs: append([]string(nil), id.YoungPersonIDs...),
	}
}

// Verifier verifies bearer tokens. It is safe for concurrent use.
type Verifier struct {
	ctx    context.Context // bounds JWKS refetches; cancelled with New's ctx
	stop   context.CancelFunc
	kf     keyfunc.Keyfunc
	parser *jwt.Parser
	claims ClaimNames
}

// New checks cfg, discovers the JWKS URL when cfg.JWKSURL is empty, and fetches the key set. The key
// set is cached, refreshed in the background and refetched (rate-limited) when a token names an
// unknown key id. Background work stops when ctx is cancelled.
func New(ctx context.Context, cfg Config) (*Verifier, error) {
	if cfg.Issuer == "" {
		return nil, errors.New("jwtauth: issuer is required")
	}
	if cfg.Audience == "" {
		return nil, errors.New("jwtauth: audience is required")
	}
	switch {
	case cfg.Leeway < 0:
		return nil, fmt.Errorf("jwtauth: leeway %s is negative", cfg.Leeway)
	case cfg.Leeway > MaxLeeway:
		return nil, fmt.Errorf("jwtauth: leeway %s is more than the %s allowed", cfg.Leeway, MaxLeeway)
	case cfg.Leeway == 0:
		cfg.Leeway = DefaultLeeway
	}
	client := cfg.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: httpTimeout}
	}

	jwksURL := cfg.JWKSURL
	if jwksURL == "" {
		var err error
		if jwksURL, err = discover(ctx, client, cfg.Issuer); err != nil {
			return nil, err
		}
	} else if err := checkURL(jwksURL); err != nil {
		return nil, fmt.Errorf("jwtauth: JWKS URL: %w", err)
	}

	noErrorOnFirstFetch := false
	kctx, stop := context.WithCancel(ctx)
	kf, err := keyfunc.NewDefaultOverrideCtx(kctx, []string{jwksURL}, keyfunc.Override{
		Client:                    client,
		HTTPTimeout:               httpTimeout,
		NoErrorReturnFirstHTTPReq: &noErrorOnFirstFetch,
		RateLimitWaitMax:          unknownKIDWait,
		RefreshInterval:           refreshInterval,
		// One refetch may happen at once (a key rotated in since the last fetch is found on first
		// use); after that, at most one per unknownKIDEvery, so random kids cannot hammer the IdP.
		RefreshUnknownKID: rate.NewLimiter(rate.Every(unknownKIDEvery), 1),
		RefreshErrorHandlerFunc: func(string) func(context.Context, error) {
			return func(_ context.Context, err error) {
				if cfg.Logger != nil {
					redact.Warn(cfg.Logger, "refresh sign-in keys", err)
				}
			}
		},
	})
	if err != nil {
		stop() // ends the refresh goroutine started before the failed first fetch
		return nil, fmt.Errorf("jwtauth: fetching JWKS from %s: %w", jwksURL, err)
	}

	return &Verifier{
		ctx:  kctx,
		stop: stop,
		kf:   kf,
		parser: jwt.NewParser(
			jwt.WithValidMethods(allowedAlgs),
			jwt.WithIssuer(cfg.Issuer),
			jwt.WithAudience(cfg.Audience),
			jwt.WithLeeway(cfg.Leeway),
			jwt.WithExpirationRequired(),
			jwt.WithIssuedAt(),
		),
		claims: cfg.Claims.withDefaults(),
	}, nil
}

// discover reads the issuer's OpenID Connect discovery document and returns its jwks_uri.
func discover(ctx context.Context, client *http.Client, issuer string) (string, error) {
	if err := checkURL(issuer); err != nil {
		return "", fmt.Errorf("jwtauth: issuer must be a URL for discovery (or set JWKSURL): %w", err)
	}
	docURL := strings.TrimSuffix(issuer, "/") + discoveryPath
	ctx, cancel := context.WithTimeout(ctx, httpTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, docURL, nil)
	if err != nil {
		return "", fmt.Errorf("jwtauth: OpenID discovery: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("jwtauth: OpenID discovery at %s failed: %w", docURL, err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("jwtauth: OpenID discovery at %s answered %s", docURL, resp.Status)
	}
	var doc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxDiscoveryBody)).Decode(&doc); err != nil {
		return "", fmt.Errorf("jwtauth: OpenID discovery at %s: reading the document: %w", docURL, err)
	}
	// OpenID Connect Discovery 1.0 §4.3: the document's issuer must be identical to the one asked about.
	if doc.Issuer != issuer {
		return "", fmt.Errorf("jwtauth: OpenID discovery at %s: document names issuer %q, want %q", docURL, doc.Issuer, issuer)
	}
	if doc.JWKSURI == "" {
		return "", fmt.Errorf("jwtauth: OpenID discovery at %s: document has no jwks_uri", docURL)
	}
	if err := checkURL(doc.JWKSURI); err != nil {
		return "", fmt.Errorf("jwtauth: OpenID discovery at %s: jwks_uri: %w", docURL, err)
	}
	if strings.HasPrefix(issuer, "https:") && !strings.HasPrefix(doc.JWKSURI, "https:") {
		return "", fmt.Errorf("jwtauth: OpenID discovery at %s: jwks_uri %s is not https", docURL, doc.JWKSURI)
	}
	return doc.JWKSURI, nil
}

// checkURL accepts absolute http and https URLs.
func checkURL(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return err
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("%q is not an absolute http(s) URL", s)
	}
	return nil
}

// Verify checks token and returns the identity it carries. Every failure wraps ErrInvalidToken.
func (v *Verifier) Verify(token string) (Identity, error) {
	switch {
	case token == "":
		return Identity{}, invalid("empty", nil)
	case len(token) > maxTokenBytes:
		return Identity{}, invalid("too large", nil)
	}
	claims := jwt.MapClaims{}
	if _, err := v.parser.ParseWithClaims(token, claims, v.key); err != nil {
		return Identity{}, invalid(reason(err), err)
	}
	return v.identity(claims)
}

// key finds the verification key for t in the cached JWKS (refetching it, rate-limited, for an
// unknown kid) and refuses keys published for encryption only.
func (v *Verifier) key(t *jwt.Token) (any, error) {
	if kid, ok := t.Header["kid"].(string); ok {
		ctx, cancel := context.WithTimeout(v.ctx, unknownKIDWait+httpTimeout)
		defer cancel()
		jwk, err := v.kf.Storage().KeyRead(ctx, kid)
		if err != nil {
			return nil, errUnknownKey
		}
		if use := jwk.Marshal().USE; use != "" && use != jwkset.UseSig {
			return nil, errKeyUse
		}
	}
	return v.kf.KeyfuncCtx(v.ctx)(t)
}

var (
	errUnknownKey = errors.New("no key in the JWKS has the token's kid")
	errKeyUse     = errors.New("the key is not for signatures")
)

// identity reads OnePlan's claims.
func (v *Verifier) identity(c jwt.MapClaims) (Identity, error) {
	sub, err := c.GetSubject()
	if err != nil || sub == "" {
		return Identity{}, invalid("missing sub claim", nil)
	}
	id := Identity{Subject: sub}

	org, ok := c[v.claims.Organisation].(string)
	if !ok {
		return Identity{}, invalid(fmt.Sprintf("%s claim is missing or not a string", v.claims.Organisation), nil)
	}
	if id.OrganisationID, ok = canonicalUUID(org); !ok {
		return Identity{}, invalid(fmt.Sprintf("%s claim is not a UUID", v.claims.Organisation), nil)
	}

	role, ok := c[v.claims.Role].(string)
	if !ok {
		return Identity{}, invalid(fmt.Sprintf("%s claim is missing or not a string", v.claims.Role), nil)
	}
	if id.Role, err = auth.ParseRole(role); err != nil {
		return Identity{}, invalid(fmt.Sprintf("%s claim is not a known role", v.claims.Role), nil)
	}

	if raw, present := c[v.claims.Practitioner]; present && raw != nil {
		s, ok := raw.(string)
		if ok {
			id.PractitionerID, ok = canonicalUUID(s)
		}
		if !ok {
			return Identity{}, invalid(fmt.Sprintf("%s claim is not a UUID", v.claims.Practitioner), nil)
		}
	}

	if raw, present := c[v.claims.YoungPeople]; present && raw != nil {
		list, ok := raw.([]any)
		if !ok {
			return Identity{}, invalid(fmt.Sprintf("%s claim is not an array", v.claims.YoungPeople), nil)
		}
		for _, e := range list {
			s, ok := e.(string)
			if ok {
				s, ok = canonicalUUID(s)
			}
			if !ok {
				return Identity{}, invalid(fmt.Sprintf("%s claim holds something other than a UUID", v.claims.YoungPeople), nil)
			}
			id.YoungPersonIDs = append(id.YoungPersonIDs, s)
		}
	}
	return id, nil
}

// canonicalUUID accepts the 36-character hyphenated form only and returns it lower-cased.
func canonicalUUID(s string) (string, bool) {
	if len(s) != 36 {
		return "", false
	}
	u, err := uuid.Parse(s)
	if err != nil {
		return "", false
	}
	return u.String(), true
}

// tokenError is a verification failure: its message is a fixed description, never token content;
// it wraps ErrInvalidToken and, when there is one, the underlying library error (for errors.Is).
type tokenError struct {
	reason string
	cause  error
}

func (e *tokenError) Error() string { return ErrInvalidToken.Error() + ": " + e.reason }

func (e *tokenError) Unwrap() []error {
	if e.cause == nil {
		return []error{ErrInvalidToken}
	}
	return []error{ErrInvalidToken, e.cause}
}

func invalid(reason string, cause error) error { return &tokenError{reason: reason, cause: cause} }

// reasons maps golang-jwt's errors to fixed descriptions, most specific first.
var reasons = []struct {
	err    error
	reason string
}{
	{jwt.ErrTokenExpired, "expired"},
	{jwt.ErrTokenNotValidYet, "not valid yet (nbf)"},
	{jwt.ErrTokenUsedBeforeIssued, "issued in the future (iat)"},
	{jwt.ErrTokenInvalidIssuer, "wrong issuer"},
	{jwt.ErrTokenInvalidAudience, "wrong audience"},
	{jwt.ErrTokenRequiredClaimMissing, "a required claim (exp, iss or aud) is missing"},
	{jwt.ErrInvalidType, "a registered claim has the wrong type"},
	{jwt.ErrTokenInvalidClaims, "invalid claims"},
	{errUnknownKey, "signed with an unknown key"},
	{errKeyUse, "signed with a key not published for signatures"},
	{jwt.ErrTokenSignatureInvalid, "signature or algorithm not accepted"},
	{jwt.ErrTokenUnverifiable, "signature cannot be verified"},
	{jwt.ErrTokenMalformed, "malformed"},
}

func reason(err error) string {
	for _, r := range reasons {
		if errors.Is(err, r.err) {
			return r.reason
		}
	}
	return "not accepted"
}
