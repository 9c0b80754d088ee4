package webhook

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
)

// Policy says where deliveries may go. A webhook makes the server send requests to an address a
// caller chose, so by default it reaches only public addresses over HTTPS: never loopback,
// private, link-local (cloud metadata), multicast or unspecified ones, which would let a caller
// probe the council's own network (server-side request forgery). An operator may allow named
// networks (a receiver inside the council, or a developer's laptop), and on an allowed loopback
// address plain HTTP too. The check runs on the URL when a subscription is saved and again on
// every address actually dialled, so a name that later resolves elsewhere is still refused.
type Policy struct {
	Allowed []netip.Prefix
}

// ParsePolicy reads a comma-separated list of networks (CIDRs or single addresses).
func ParsePolicy(list []string) (Policy, error) {
	var p Policy
	for _, s := range list {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if !strings.Contains(s, "/") {
			a, err := netip.ParseAddr(s)
			if err != nil {
				return p, fmt.Errorf("webhook allow-list: %q is not an address or network", s)
			}
			p.Allowed = append(p.Allowed, netip.PrefixFrom(a, a.BitLen()))
			continue
		}
		n, err := netip.ParsePrefix(s)
		if err != nil {
			return p, fmt.Errorf("webhook allow-list: %q is not an address or network", s)
		}
		p.Allowed = append(p.Allowed, n.Masked())
	}
	return p, nil
}

// ErrRefusedAddress is an address deliveries may not reach.
var ErrRefusedAddress = errors.New("refused address")

// allowed reports whether the operator named a.
func (p Policy) allowed(a netip.Addr) bool {
	for _, n := range p.Allowed {
		if n.Contains(a.Unmap()) {
			return true
		}
	}
	return false
}

// CheckAddr refuses an address deliveries may not reach.
func (p Policy) CheckAddr(a netip.Addr) error {
	a = a.Unmap()
	if p.allowed(a) {
		return nil
	}
	if !a.IsGlobalUnicast() || a.IsPrivate() || a.IsLoopback() || a.IsLinkLocalUnicast() || isShared(a) {
		return fmt.Errorf("%w: %s is not a public address (an operator can allow it with ONEPLAN_WEBHOOK_ALLOWED_NETWORKS)", ErrRefusedAddress, a)
	}
	return nil
}

// isShared is 100.64.0.0/10 (carrier-grade NAT), not public either.
func isShared(a netip.Addr) bool {
	return a.Is4() && netip.MustParsePrefix("100.64.0.0/10").Contains(a)
}

// CheckURL checks a target URL as a caller gave it: absolute, https (http only to an allowed
// loopback address), no credentials, and a host that is a permitted address or a name (names are
// checked as they resolve, at delivery).
func (p Policy) CheckURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || !u.IsAbs() {
		return errors.New("must be an absolute https URL")
	}
	if u.User != nil {
		return errors.New("must not carry credentials")
	}
	if u.Fragment != "" {
		return errors.New("must not have a fragment")
	}
	host := u.Hostname()
	addr, perr := netip.ParseAddr(host)
	isAddr := perr == nil
	switch u.Scheme {
	case "https":
	case "http":
		loopback := (isAddr && addr.IsLoopback() && p.allowed(addr)) || (strings.EqualFold(host, "localhost") && p.allowed(netip.MustParseAddr("127.0.0.1")))
		if !loopback {
			return errors.New("must use https (plain http only to an allowed loopback address)")
		}
	default:
		return errors.New("must be an absolute https URL")
	}
	if isAddr {
		return p.CheckAddr(addr)
	}
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return p.CheckAddr(netip.MustParseAddr("127.0.0.1"))
	}
	return nil
}

// Control is a net.Dialer Control function that refuses any address the policy does not allow,
// as it is dialled (after name resolution, for every redirect and retry).
func (p Policy) Control(_, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return err
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return fmt.Errorf("%w: %s", ErrRefusedAddress, host)
	}
	return p.CheckAddr(a)
}
