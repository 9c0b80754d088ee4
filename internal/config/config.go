// Package config reads OnePlan's settings from the environment, with documented defaults.
package config

import (
	"fmt"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/oneplan-send/oneplan/internal/deadline"
	"github.com/oneplan-send/oneplan/internal/externalid"
	"github.com/oneplan-send/oneplan/internal/report"
	"github.com/oneplan-send/oneplan/internal/secretseal"
)

// Config is every setting. The README's configuration table lists the same variables.
type Config struct {
	DatabaseURL         string         // ONEPLAN_DATABASE_URL: postgres://... or a SQLite file path
	DatabaseMaxConns    int            // ONEPLAN_DATABASE_MAX_CONNS: PostgreSQL connections this process may hold open
	MaxActiveRequests   int            // ONEPLAN_MAX_ACTIVE_REQUESTS: requests one process works on at once; 0 no limit
	Addr                string         // ONEPLAN_ADDR
	AdminAPIKey         string         // ONEPLAN_ADMIN_API_KEY: installed as the first admin key
	CouncilName         string         // ONEPLAN_COUNCIL_NAME: the organisation that owns the first admin key
	MaxBodyBytes        int64          // ONEPLAN_MAX_BODY_BYTES
	AreaLocalities      []string       // ONEPLAN_AREA_LOCALITIES: comma-separated; empty = the whole council
	PublishedLocalities []string       // ONEPLAN_PUBLISHED_LOCALITIES: named in controlled reports; empty = AreaLocalities
	AllowTestNHSNumbers bool           // ONEPLAN_ALLOW_TEST_NHS_NUMBERS: admit the 999 test range
	CORSOrigins         []string       // ONEPLAN_CORS_ORIGINS: comma-separated front-end origins
	LogLevel            string         // ONEPLAN_LOG_LEVEL: debug, info, warn, error
	Profiling           bool           // ONEPLAN_PPROF: serve /debug/pprof/ to admin keys
	OIDCIssuer          string         // ONEPLAN_OIDC_ISSUER: accept sign-in JWTs from this issuer
	OIDCAudience        string         // ONEPLAN_OIDC_AUDIENCE: the audience those tokens must carry
	OIDCJWKSURL         string         // ONEPLAN_OIDC_JWKS_URL: skip discovery and fetch keys here
	RateLimit           float64        // ONEPLAN_RATE_LIMIT: requests per second per key or user
	RateBurst           int            // ONEPLAN_RATE_BURST
	RetentionYears      int            // ONEPLAN_RETENTION_YEARS: keep records until date of birth + this
	SweepInterval       time.Duration  // ONEPLAN_SWEEP_INTERVAL: how often serve sends the statutory clock's notices; 0 never
	TransitionGapMinAge int            // ONEPLAN_TRANSITION_GAP_MIN_AGE: transition plan expected from this age
	DisclosureThreshold int            // ONEPLAN_DISCLOSURE_THRESHOLD: open-data counts below this are withheld
	DisclosureRounding  int            // ONEPLAN_DISCLOSURE_ROUNDING: open-data counts rounded to a multiple of this
	DisclosureShowZeros bool           // ONEPLAN_DISCLOSURE_SHOW_ZEROS: publish true zeros in open data
	OpenData            []string       // ONEPLAN_OPEN_DATA: reports served unauthenticated at /v1/open-data/{report}
	LACode              string         // ONEPLAN_LA_CODE: the council's 3-digit DfE LA number, for the SEN2 return
	WebhookAllowed      []string       // ONEPLAN_WEBHOOK_ALLOWED_NETWORKS: private networks webhooks may reach
	SecretsKey          []byte         // ONEPLAN_SECRETS_KEY: encrypts webhook signing secrets at rest
	DispatchInterval    time.Duration  // ONEPLAN_DISPATCH_INTERVAL: how often an idle dispatcher looks for events; 0 never
	EventsRetention     time.Duration  // ONEPLAN_EVENTS_RETENTION: published events are pruned after this
	WebhookRetryBase    time.Duration  // ONEPLAN_WEBHOOK_RETRY_BASE: the first retry's delay (doubling after)
	WebhookRetryFor     time.Duration  // ONEPLAN_WEBHOOK_RETRY_FOR: how long a delivery is retried before it fails
	WebhookTimeout      time.Duration  // ONEPLAN_WEBHOOK_TIMEOUT: per attempt; a claim is leased for three times this
	DocumentStore       string         // ONEPLAN_DOCUMENT_STORE: where documents' bytes live (a gocloud.dev/blob URL)
	MaxDocumentBytes    int64          // ONEPLAN_MAX_DOCUMENT_BYTES: the largest document taken
	MaxImportBytes      int64          // ONEPLAN_MAX_IMPORT_BYTES: the largest import file taken by POST /v1/imports
	ImportRetention     time.Duration  // ONEPLAN_IMPORT_FILES_RETENTION: an import job's rejects file is deleted this long after it finished
	PublicURL           string         // ONEPLAN_PUBLIC_URL: the address callers use, for servers in /openapi.yaml
	DeadlineLeads       deadline.Leads // ONEPLAN_DEADLINE_LEADS: how long before each statutory deadline it is warned of
	ExternalIDSystems   []string       // ONEPLAN_EXTERNAL_ID_SYSTEMS: short names external ids may use besides URIs
	CouncilAddress      string         // ONEPLAN_COUNCIL_ADDRESS: the council's postal address on letters
	CouncilEmail        string         // ONEPLAN_COUNCIL_EMAIL: the SEND team's email address on letters
	CouncilPhone        string         // ONEPLAN_COUNCIL_PHONE: the SEND team's telephone number on letters
}

// Vars documents each variable with its default, for --help.
var Vars = [][3]string{
	{"ONEPLAN_DATABASE_URL", "oneplan.db", "postgres://user@host/db selects PostgreSQL; anything else is a SQLite file"},
	{"ONEPLAN_DATABASE_MAX_CONNS", "32", "PostgreSQL connections one server process holds open (all opened at start, kept idle between requests, closed after 5 idle minutes); each replica holds its own, so keep replicas times this under the database's max_connections"},
	{"ONEPLAN_MAX_ACTIVE_REQUESTS", "16", "API requests one server process works on at once, once their bodies are read and checked; the rest wait their turn in arrival order (503 with Retry-After if their time runs out first). Past about half the connections, more at once only contend inside PostgreSQL; keep it at or below ONEPLAN_DATABASE_MAX_CONNS. 0 means no limit"},
	{"ONEPLAN_ADDR", "127.0.0.1:8080", "address to listen on"},
	{"ONEPLAN_ADMIN_API_KEY", "", "installed as the first admin key when none exists; if unset one is generated and printed once"},
	{"ONEPLAN_COUNCIL_NAME", "Council SEND service", "name of the organisation the first admin key belongs to, and the sender of letters and plan documents"},
	{"ONEPLAN_COUNCIL_ADDRESS", "", "the council's postal address, printed on letters and plan documents"},
	{"ONEPLAN_COUNCIL_EMAIL", "", "the SEND team's email address, printed on letters and plan documents"},
	{"ONEPLAN_COUNCIL_PHONE", "", "the SEND team's telephone number, printed on letters and plan documents"},
	{"ONEPLAN_MAX_BODY_BYTES", "1048576", "largest request body accepted (413 above)"},
	{"ONEPLAN_AREA_LOCALITIES", "", "localities forming the pathway's area, comma-separated; empty means everyone is in the area"},
	{"ONEPLAN_PUBLISHED_LOCALITIES", "", "the only localities open data and analysts' reports name and filter by, comma-separated (the rest pooled into one row); empty means ONEPLAN_AREA_LOCALITIES, and with both empty they name none"},
	{"ONEPLAN_ALLOW_TEST_NHS_NUMBERS", "false", "accept NHS numbers in the 999 test range (test and training only)"},
	{"ONEPLAN_CORS_ORIGINS", "", "browser front-end origins allowed to call the API, comma-separated"},
	{"ONEPLAN_LOG_LEVEL", "info", "debug, info, warn or error"},
	{"ONEPLAN_PPROF", "false", "serve Go's profiler at /debug/pprof/ to admin keys (for diagnosing production; off by default)"},
	{"ONEPLAN_OIDC_ISSUER", "", "OpenID Connect issuer whose sign-in JWTs are accepted besides API keys; unset means API keys only"},
	{"ONEPLAN_OIDC_AUDIENCE", "", "audience the JWTs must carry (required with ONEPLAN_OIDC_ISSUER)"},
	{"ONEPLAN_OIDC_JWKS_URL", "", "where to fetch the issuer's signing keys; unset means OpenID Connect discovery"},
	{"ONEPLAN_RATE_LIMIT", "50", "sustained requests per second allowed per API key or user (429 above)"},
	{"ONEPLAN_RATE_BURST", "100", "requests allowed in a burst per API key or user"},
	{"ONEPLAN_RETENTION_YEARS", "31", "records are kept until date of birth + this many years, then listed by /v1/retention/due"},
	{"ONEPLAN_SWEEP_INTERVAL", "1h", "how often serve sends the statutory clock's due and missed notices to the outbox (0 turns it off; oneplan sweep runs it once)"},
	{"ONEPLAN_DEADLINE_LEADS", "", "lead times of deadline.due_soon warnings over the defaults, e.g. 20w=14d,advice=7d,chc=12w (clock names in docs/webhooks.md)"},
	{"ONEPLAN_TRANSITION_GAP_MIN_AGE", "14", "default age (13 to 25) from which /v1/transitions/gaps expects a transition plan"},
	{"ONEPLAN_DISCLOSURE_THRESHOLD", "5", "open data and analysts' reports withhold counts below this (2 to 100), with secondary suppression"},
	{"ONEPLAN_DISCLOSURE_ROUNDING", "1", "open data and analysts' reports round published counts to a multiple of this (1: no rounding; at most 100)"},
	{"ONEPLAN_DISCLOSURE_SHOW_ZEROS", "false", "publish a true zero as 0 (by default a zero, being below the threshold, is withheld too)"},
	{"ONEPLAN_OPEN_DATA", "", "reports served without credentials at /v1/open-data/{report}, comma-separated (activity, experience, timeliness, transitions, funnel, or all); empty: none"},
	{"ONEPLAN_LA_CODE", "", "the council's 3-digit DfE local authority number, written into the SEN2 return"},
	{"ONEPLAN_SECRETS_KEY", "", "base64 of 32 random bytes (openssl rand -base64 32): webhook signing secrets are stored encrypted with it (AES-256-GCM); unset, they are stored as given. Keep it out of the database's backups"},
	{"ONEPLAN_WEBHOOK_ALLOWED_NETWORKS", "", "networks (CIDRs or addresses, comma-separated) webhooks may be delivered to although private or loopback, e.g. 127.0.0.1/32 for a receiver on this machine; plain http is allowed only to an allowed loopback address"},
	{"ONEPLAN_DISPATCH_INTERVAL", "250ms", "how often an idle server looks for newly committed events and due webhook deliveries (0 turns delivery off in this process)"},
	{"ONEPLAN_EVENTS_RETENTION", "168h", "published events (the feed and replays) and delivery attempts are pruned after this"},
	{"ONEPLAN_WEBHOOK_RETRY_BASE", "30s", "delay before the first retry of a failed webhook delivery; it doubles, with jitter, up to 6 hours"},
	{"ONEPLAN_WEBHOOK_TIMEOUT", "10s", "how long one webhook attempt may take; a process that dies holding a delivery gives it up to the others after three times this"},
	{"ONEPLAN_DOCUMENT_STORE", "", "where uploaded documents' bytes are kept: file:///path/to/folder, or s3://bucket?region=eu-west-2 (any S3-compatible store: add &endpoint=https://...&use_path_style=true); empty: a folder beside the SQLite database, or ./oneplan-documents with PostgreSQL (replicas must share one bucket)"},
	{"ONEPLAN_MAX_DOCUMENT_BYTES", "20971520", "largest document accepted (413 above); Word documents may also unpack to at most 100 MB and 100 times their size"},
	{"ONEPLAN_MAX_IMPORT_BYTES", "52428800", "largest import file accepted by POST /v1/imports (413 above); kept in the document store while its job runs"},
	{"ONEPLAN_IMPORT_FILES_RETENTION", "720h", "an import job's rejects file (refused rows: children's details) is deleted this long after the job finished (720h: 30 days); its download then answers 410"},
	{"ONEPLAN_PUBLIC_URL", "", "the URL callers reach this server at (e.g. https://oneplan.council.example), named as the server in /openapi.yaml and used by /docs; unset: the address it listens on"},
	{"ONEPLAN_EXTERNAL_ID_SYSTEMS", "bridge,ems,capita-one", "short names other systems' record ids may be given under (external_ids[].system), comma-separated: lower case letters, digits and hyphens; any absolute URI is accepted too"},
	{"ONEPLAN_WEBHOOK_RETRY_FOR", "72h", "how long a failed webhook delivery is retried before it fails and its subscription is marked failing"},
}

// FromEnv reads the configuration.
func FromEnv() (Config, error) {
	get := func(name string) string {
		if v, ok := os.LookupEnv(name); ok {
			return strings.TrimSpace(v)
		}
		for _, v := range Vars {
			if v[0] == name {
				return v[1]
			}
		}
		return ""
	}
	c := Config{
		DatabaseURL:         get("ONEPLAN_DATABASE_URL"),
		Addr:                get("ONEPLAN_ADDR"),
		AdminAPIKey:         get("ONEPLAN_ADMIN_API_KEY"),
		CouncilName:         get("ONEPLAN_COUNCIL_NAME"),
		CouncilAddress:      get("ONEPLAN_COUNCIL_ADDRESS"),
		CouncilEmail:        get("ONEPLAN_COUNCIL_EMAIL"),
		CouncilPhone:        get("ONEPLAN_COUNCIL_PHONE"),
		AreaLocalities:      list(get("ONEPLAN_AREA_LOCALITIES")),
		PublishedLocalities: list(get("ONEPLAN_PUBLISHED_LOCALITIES")),
		CORSOrigins:         list(get("ONEPLAN_CORS_ORIGINS")),
		LogLevel:            get("ONEPLAN_LOG_LEVEL"),
		OIDCIssuer:          get("ONEPLAN_OIDC_ISSUER"),
		OIDCAudience:        get("ONEPLAN_OIDC_AUDIENCE"),
		OIDCJWKSURL:         get("ONEPLAN_OIDC_JWKS_URL"),
	}
	var err error
	if c.DatabaseMaxConns, err = strconv.Atoi(get("ONEPLAN_DATABASE_MAX_CONNS")); err != nil || c.DatabaseMaxConns < 1 || c.DatabaseMaxConns > 1000 {
		return c, fmt.Errorf("ONEPLAN_DATABASE_MAX_CONNS must be a whole number of connections between 1 and 1000")
	}
	if c.MaxActiveRequests, err = strconv.Atoi(get("ONEPLAN_MAX_ACTIVE_REQUESTS")); err != nil || c.MaxActiveRequests < 0 || c.MaxActiveRequests > 10000 {
		return c, fmt.Errorf("ONEPLAN_MAX_ACTIVE_REQUESTS must be a whole number of requests between 0 (no limit) and 10000")
	}
	if c.MaxBodyBytes, err = strconv.ParseInt(get("ONEPLAN_MAX_BODY_BYTES"), 10, 64); err != nil || c.MaxBodyBytes < 1024 {
		return c, fmt.Errorf("ONEPLAN_MAX_BODY_BYTES must be a whole number of bytes, at least 1024")
	}
	if c.MaxDocumentBytes, err = strconv.ParseInt(get("ONEPLAN_MAX_DOCUMENT_BYTES"), 10, 64); err != nil || c.MaxDocumentBytes < 1024 {
		return c, fmt.Errorf("ONEPLAN_MAX_DOCUMENT_BYTES must be a whole number of bytes, at least 1024")
	}
	if c.MaxImportBytes, err = strconv.ParseInt(get("ONEPLAN_MAX_IMPORT_BYTES"), 10, 64); err != nil || c.MaxImportBytes < 1024 {
		return c, fmt.Errorf("ONEPLAN_MAX_IMPORT_BYTES must be a whole number of bytes, at least 1024")
	}
	c.DocumentStore = get("ONEPLAN_DOCUMENT_STORE")
	if c.ExternalIDSystems, err = externalid.ParseSystems(get("ONEPLAN_EXTERNAL_ID_SYSTEMS")); err != nil {
		return c, fmt.Errorf("ONEPLAN_EXTERNAL_ID_SYSTEMS: %w", err)
	}
	if c.Profiling, err = strconv.ParseBool(get("ONEPLAN_PPROF")); err != nil {
		return c, fmt.Errorf("ONEPLAN_PPROF must be true or false")
	}
	if c.AllowTestNHSNumbers, err = strconv.ParseBool(get("ONEPLAN_ALLOW_TEST_NHS_NUMBERS")); err != nil {
		return c, fmt.Errorf("ONEPLAN_ALLOW_TEST_NHS_NUMBERS must be true or false")
	}
	if c.RateLimit, err = strconv.ParseFloat(get("ONEPLAN_RATE_LIMIT"), 64); err != nil || c.RateLimit <= 0 {
		return c, fmt.Errorf("ONEPLAN_RATE_LIMIT must be a positive number of requests per second")
	}
	if c.RateBurst, err = strconv.Atoi(get("ONEPLAN_RATE_BURST")); err != nil || c.RateBurst < 1 {
		return c, fmt.Errorf("ONEPLAN_RATE_BURST must be a whole number, at least 1")
	}
	if c.RetentionYears, err = strconv.Atoi(get("ONEPLAN_RETENTION_YEARS")); err != nil || c.RetentionYears < 1 || c.RetentionYears > 120 {
		return c, fmt.Errorf("ONEPLAN_RETENTION_YEARS must be a whole number of years between 1 and 120")
	}
	if c.SweepInterval, err = time.ParseDuration(get("ONEPLAN_SWEEP_INTERVAL")); err != nil || c.SweepInterval < 0 {
		return c, fmt.Errorf("ONEPLAN_SWEEP_INTERVAL must be a duration such as 1h or 15m, or 0")
	}
	if c.TransitionGapMinAge, err = strconv.Atoi(get("ONEPLAN_TRANSITION_GAP_MIN_AGE")); err != nil || c.TransitionGapMinAge < 13 || c.TransitionGapMinAge > 25 {
		return c, fmt.Errorf("ONEPLAN_TRANSITION_GAP_MIN_AGE must be a whole number of years between 13 and 25")
	}
	if c.DeadlineLeads, err = deadline.ParseLeads(get("ONEPLAN_DEADLINE_LEADS")); err != nil {
		return c, fmt.Errorf("ONEPLAN_DEADLINE_LEADS: %w", err)
	}
	if c.DisclosureThreshold, err = strconv.Atoi(get("ONEPLAN_DISCLOSURE_THRESHOLD")); err != nil || c.DisclosureThreshold < 2 || c.DisclosureThreshold > 100 {
		return c, fmt.Errorf("ONEPLAN_DISCLOSURE_THRESHOLD must be a whole number between 2 and 100")
	}
	if c.DisclosureRounding, err = strconv.Atoi(get("ONEPLAN_DISCLOSURE_ROUNDING")); err != nil || c.DisclosureRounding < 1 || c.DisclosureRounding > 100 {
		return c, fmt.Errorf("ONEPLAN_DISCLOSURE_ROUNDING must be a whole number between 1 and 100")
	}
	if c.DisclosureShowZeros, err = strconv.ParseBool(get("ONEPLAN_DISCLOSURE_SHOW_ZEROS")); err != nil {
		return c, fmt.Errorf("ONEPLAN_DISCLOSURE_SHOW_ZEROS must be true or false")
	}
	for _, r := range list(get("ONEPLAN_OPEN_DATA")) {
		switch {
		case r == "all":
			c.OpenData = append(c.OpenData, report.Kinds...)
		case slices.Contains(report.Kinds, r):
			c.OpenData = append(c.OpenData, r)
		default:
			return c, fmt.Errorf("ONEPLAN_OPEN_DATA names %q; use %s or all", r, strings.Join(report.Kinds, ", "))
		}
	}
	c.WebhookAllowed = list(get("ONEPLAN_WEBHOOK_ALLOWED_NETWORKS"))
	if k := get("ONEPLAN_SECRETS_KEY"); k != "" {
		if c.SecretsKey, err = secretseal.ParseKey(k); err != nil {
			return c, fmt.Errorf("ONEPLAN_SECRETS_KEY %w", err)
		}
	}
	for _, d := range []struct {
		name string
		to   *time.Duration
		zero bool
	}{{"ONEPLAN_DISPATCH_INTERVAL", &c.DispatchInterval, true}, {"ONEPLAN_EVENTS_RETENTION", &c.EventsRetention, false},
		{"ONEPLAN_WEBHOOK_RETRY_BASE", &c.WebhookRetryBase, false}, {"ONEPLAN_WEBHOOK_RETRY_FOR", &c.WebhookRetryFor, false},
		{"ONEPLAN_WEBHOOK_TIMEOUT", &c.WebhookTimeout, false}, {"ONEPLAN_IMPORT_FILES_RETENTION", &c.ImportRetention, false}} {
		v, err := time.ParseDuration(get(d.name))
		if err != nil || v < 0 || (v == 0 && !d.zero) {
			return c, fmt.Errorf("%s must be a positive duration such as 30s or 72h", d.name)
		}
		*d.to = v
	}
	if c.LACode = get("ONEPLAN_LA_CODE"); c.LACode != "" && !laCode.MatchString(c.LACode) {
		return c, fmt.Errorf("ONEPLAN_LA_CODE must be the 3-digit DfE local authority number, e.g. 355")
	}
	if (c.OIDCIssuer == "") != (c.OIDCAudience == "") {
		return c, fmt.Errorf("ONEPLAN_OIDC_ISSUER and ONEPLAN_OIDC_AUDIENCE are set together")
	}
	if c.DatabaseURL == "" {
		return c, fmt.Errorf("ONEPLAN_DATABASE_URL must not be empty")
	}
	if c.PublicURL = strings.TrimRight(get("ONEPLAN_PUBLIC_URL"), "/"); c.PublicURL != "" {
		u, err := url.Parse(c.PublicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
			return c, fmt.Errorf("ONEPLAN_PUBLIC_URL must be an http or https URL such as https://oneplan.council.example, with no query")
		}
	}
	if len(c.PublishedLocalities) == 0 {
		// A council whose pathway covers some localities publishes those; one that publishes by
		// locality without narrowing its area (every referral in the area) lists them apart.
		c.PublishedLocalities = c.AreaLocalities
	}
	return c, nil
}

var laCode = regexp.MustCompile(`^[0-9]{3}$`)

func list(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
