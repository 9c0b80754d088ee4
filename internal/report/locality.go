package report

import (
	"strings"

	"github.com/oneplan-send/oneplan/internal/fault"
)

// Labels of the row that pools, in a disclosure-controlled report, every locality that is not
// one of the council's, and the referrals with no locality recorded (category "").
const (
	OtherLocalities = "Other or unrecorded localities"
	// AllLocalities labels it when the council lists no localities, so that every one is pooled.
	AllLocalities = "All localities (none published by name)"
)

// Localities are the localities the council publishes (ONEPLAN_PUBLISHED_LOCALITIES, by default
// its area's), as it spells them. They
// are the only locality names a disclosure-controlled report publishes: any other locality is
// text a caseworker typed on a child's record or referral (a typo, a family's name, an address)
// and is never published, as a row label or otherwise, even when its count is withheld.
type Localities []string

// LocalityKey is a locality as reports group and filter by it: trimmed and in lower case, as
// the store keeps it (locality_key).
func LocalityKey(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// Name returns the council's spelling of the locality whose key is key, and whether it is one
// of the council's; the first listed wins when two spell the same key.
func (ls Localities) Name(key string) (string, bool) {
	if key == "" {
		return "", false
	}
	for _, l := range ls {
		if LocalityKey(l) == key {
			return strings.TrimSpace(l), true
		}
	}
	return "", false
}

// Pool returns counts by locality key fit for disclosure control: each of the council's
// localities under its own key, and every other key (another locality, or "" for one not
// recorded) added into "". names holds the council's spelling of each of its localities, every
// one of them, so that a locality with nothing to count is a row too. Pool before thresholding
// and suppression, so that the pooled row is itself controlled.
func (ls Localities) Pool(counts Counts) (pooled Counts, names map[string]string) {
	pooled, names = Counts{}, map[string]string{}
	for _, l := range ls {
		k := LocalityKey(l)
		if _, ok := names[k]; ok || k == "" {
			continue
		}
		names[k] = strings.TrimSpace(l)
	}
	for k, n := range counts {
		if _, ok := names[k]; ok {
			pooled[k] += n
		} else {
			pooled[""] += n
		}
	}
	return pooled, names
}

// PooledLabel labels the row keyed "" once the localities are pooled.
func (ls Localities) PooledLabel() string {
	for _, l := range ls {
		if LocalityKey(l) != "" {
			return OtherLocalities
		}
	}
	return AllLocalities
}

// CheckFilter refuses, for a disclosure-controlled report, a locality filter that is not one of
// the council's: figures for any text a caller guesses ("Smith family") would tell whether a
// child's record carries it (a zero published under ONEPLAN_DISCLOSURE_SHOW_ZEROS against a
// withheld count). An empty filter is always allowed.
func (ls Localities) CheckFilter(locality string) error {
	if locality == "" {
		return nil
	}
	if _, ok := ls.Name(LocalityKey(locality)); ok {
		return nil
	}
	var names []string
	for _, l := range ls {
		if l = strings.TrimSpace(l); l != "" {
			names = append(names, l)
		}
	}
	detail := "disclosure-controlled figures are not given by locality here: the council names no localities"
	if len(names) > 0 {
		detail = "disclosure-controlled figures are given only for the council's localities: " + strings.Join(names, ", ")
	}
	return fault.Field(fault.Invalid, "/query/locality", detail)
}

// PoolLocalities returns a's figures with their localities pooled by ls (see Localities.Pool),
// for a disclosure-controlled report; TabulateActivity then labels the pooled row for what it is.
func (a ActivityFigures) PoolLocalities(ls Localities) ActivityFigures {
	a.ByLocality, a.LocalityNames = ls.Pool(a.ByLocality)
	a.PooledLocalities = ls.PooledLabel()
	return a
}
