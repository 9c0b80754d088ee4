package webhooks

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/oneplan-send/oneplan/internal/casework"
	"github.com/oneplan-send/oneplan/internal/outbox"
	"github.com/oneplan-send/oneplan/internal/webhook"
)

// Options tune the dispatcher.
type Options struct {
	Interval    time.Duration // how often to look for new events and due deliveries when idle
	Batch       int           // events sequenced, and deliveries claimed, per round
	Concurrency int           // deliveries in flight per process (one subscription's: at most half)
	Lease       time.Duration // how long a claimed delivery is this process's before another may take it
	Timeout     time.Duration // per attempt
	Straggle    time.Duration // how long a round waits for its slowest subscription before claiming again without it
	Retry       webhook.Retry
	Retention   time.Duration // published events (and attempts) are pruned after this
	Observer    Observer      // metrics; nil for none
}

func (o Options) withDefaults() Options {
	if o.Interval <= 0 {
		o.Interval = 250 * time.Millisecond
	}
	if o.Batch <= 0 {
		o.Batch = 500
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 16
	}
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	if o.Lease <= o.Timeout {
		o.Lease = 3 * o.Timeout
	}
	if o.Retry == (webhook.Retry{}) {
		o.Retry = webhook.DefaultRetry
	}
	if o.Straggle <= 0 {
		o.Straggle = 250 * time.Millisecond
	}
	if o.Retention <= 0 {
		o.Retention = 7 * 24 * time.Hour
	}
	return o
}

// Observer is told of each attempt, for metrics.
type Observer interface {
	Attempted(eventType string, code int, ok bool, latency, lag time.Duration)
	GaveUp(eventType string)
}

// client sends deliveries: never through a proxy, never following a redirect, and dialling only
// addresses the policy allows (checked on the address actually dialled, after resolution).
type client struct{ http *http.Client }

func newClient(policy webhook.Policy, timeout time.Duration) *client {
	dialer := &net.Dialer{Timeout: timeout, Control: policy.Control}
	tr := &http.Transport{Proxy: nil, DialContext: dialer.DialContext, MaxIdleConnsPerHost: 16, IdleConnTimeout: 90 * time.Second,
		TLSHandshakeTimeout: timeout, ResponseHeaderTimeout: timeout}
	return &client{http: &http.Client{Transport: tr, Timeout: timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// Body is the JSON of an event as delivered and as the feed lists it.
type Body struct {
	ID         string         `json:"id"`
	Type       string         `json:"type"`
	Version    int            `json:"version"`
	Sequence   int64          `json:"sequence"`
	Timestamp  time.Time      `json:"timestamp"`
	RecordType string         `json:"record_type"`
	RecordID   string         `json:"record_id"`
	Data       map[string]any `json:"data"`
}

// BodyOf is the JSON body of e.
func BodyOf(e outbox.Published) Body {
	data := e.Payload
	if data == nil {
		data = map[string]any{}
	}
	return Body{ID: e.ID, Type: e.Type, Version: e.Version, Sequence: e.Seq, Timestamp: e.OccurredAt.UTC(), RecordType: e.RecordType, RecordID: e.RecordID, Data: data}
}

// Sign returns the Standard Webhooks webhook-signature header of body for msgID at ts: one
// "v1,<base64 HMAC-SHA256 of id.timestamp.body>" per secret, separated by spaces.
func Sign(secrets []string, msgID string, ts time.Time, body []byte) (string, error) {
	sigs := make([]string, 0, len(secrets))
	for _, sec := range secrets {
		wh, err := standardwebhooks.NewWebhook(sec)
		if err != nil {
			return "", err
		}
		sig, err := wh.Sign(msgID, ts, body)
		if err != nil {
			return "", err
		}
		sigs = append(sigs, sig)
	}
	return strings.Join(sigs, " "), nil
}

// Run sequences, delivers and prunes until ctx ends. Every process runs it: sequencing is one
// process's at a time, claims are leased, so several processes deliver each event once per
// subscription between them, and what a killed process had claimed is taken over when its lease
// runs out. An idle dispatcher backs off: after each round that found nothing it waits twice as
// long as before, from Interval up to 4 x Interval, and goes back to Interval once it finds work,
// so idle replicas do not poll the database in a storm. A round waits for its deliveries at most
// Straggle before it claims again: a subscription whose receiver is slow to answer is left to
// finish alone, holds up no one else's, and is claimed for again when it has (see fleet). Run
// returns once what it left in flight has finished and been recorded.
func (s *Service) Run(ctx context.Context, report func(error)) {
	defer s.fleet.alone.Wait()
	var lastPrune time.Time
	wait := s.opts.Interval
	for ctx.Err() == nil {
		busy, found, err := s.round(ctx, s.opts.Straggle, report)
		if err != nil && ctx.Err() == nil {
			report(err)
		}
		if time.Since(lastPrune) > time.Minute {
			lastPrune = time.Now()
			if _, err := s.Prune(ctx); err != nil && ctx.Err() == nil {
				report(err)
			}
		}
		if busy {
			continue
		}
		switch {
		case found || err != nil:
			wait = s.opts.Interval
		case wait < 4*s.opts.Interval:
			wait *= 2
		}
		select {
		case <-ctx.Done():
		case <-time.After(wait):
		case <-s.fleet.landed:
		}
	}
}

// settleEvery is how many finished attempts are recorded together: a batch's attempts are written
// in one transaction, and a long round records what has finished as it goes (so a delivery made is
// recorded well within its lease).
const settleEvery = 64

// Round sequences what has committed, then claims and delivers what is due, once, and waits for
// every delivery it claimed. It reports whether a full batch of either was found (so there may be
// more waiting).
func (s *Service) Round(ctx context.Context) (busy bool, err error) {
	busy, _, err = s.round(ctx, 0, nil)
	return busy, err
}

// round is Round, also reporting whether it found anything at all, and waiting for its deliveries
// at most straggle (0: until all are done). Numbering and claiming are one transaction; the
// attempts are recorded settleEvery at a time, each batch one transaction, and what is left when
// the round ends in one more. A subscription's deliveries still in flight when straggle has passed
// are left to finish alone (fly), their errors told to report.
func (s *Service) round(ctx context.Context, straggle time.Duration, report func(error)) (busy, found bool, err error) {
	defer casework.Wrap(&err, "dispatch events")
	var n int
	var jobs []webhook.Job
	// The claim's lease ends no earlier than this (it is taken from a later now).
	until := s.Now().Add(s.opts.Lease)
	skip := s.fleet.flying()
	err = s.db.InTx(ctx, func(tx Tx) error {
		if n, _, err = tx.WebhookQueue().Sequence(s.Now(), s.opts.Batch); err != nil {
			return err
		}
		jobs, err = tx.WebhookQueue().Claim(s.Now(), s.opts.Lease, s.opts.Batch, skip)
		return err
	})
	if err != nil {
		return false, false, err
	}
	groups := s.fleet.board(jobs)
	back := make(chan *group, len(groups))
	for _, g := range groups {
		go s.fly(ctx, g, until, back, report)
	}
	var late <-chan time.Time
	if straggle > 0 {
		t := time.NewTimer(straggle)
		defer t.Stop()
		late = t.C
	}
	var (
		first   error
		pending []webhook.Result
		landed  []*group
	)
	for left := len(groups); left > 0; {
		select {
		case g := <-back:
			pending, first, landed = append(pending, g.results...), errors.Join(first, g.err), append(landed, g)
			left--
		case <-late:
			late = nil
			for _, g := range groups {
				if g.leave(&s.fleet.alone) {
					left--
				}
			}
		}
	}
	if err := s.settle(ctx, pending); err != nil {
		first = errors.Join(first, err)
	}
	for _, g := range landed {
		s.fleet.land(g, false)
	}
	return n == s.opts.Batch || len(jobs) == s.opts.Batch, n > 0 || len(jobs) > 0, first
}

// fleet is what one process has in flight: a slot for each delivery being made (Concurrency in
// all) and the subscriptions it has claimed deliveries for that are not yet finished. Those are
// left out of the process's next claims, and one subscription's deliveries take at most half the
// slots, so a receiver slow to answer holds up only its own deliveries. (Other processes may
// claim that subscription's other deliveries; each process caps its own share.)
type fleet struct {
	slots  chan struct{}
	mu     sync.Mutex
	busy   map[string]int // subscription id: its groups in flight
	landed chan struct{}  // a group left by its round has finished: claim again without waiting
	alone  sync.WaitGroup // groups left by their rounds and not yet finished
}

func newFleet(concurrency int) *fleet {
	return &fleet{slots: make(chan struct{}, concurrency), busy: map[string]int{}, landed: make(chan struct{}, 1)}
}

// flying is the subscriptions with deliveries in flight, for the next claim to leave out.
func (f *fleet) flying() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]string, 0, len(f.busy))
	for id := range f.busy {
		out = append(out, id)
	}
	return out
}

// board groups a claim's jobs by subscription, in the claim's order, and marks them in flight.
func (f *fleet) board(jobs []webhook.Job) []*group {
	var groups []*group
	of := map[string]*group{}
	for _, j := range jobs {
		g := of[j.Subscription.ID]
		if g == nil {
			g = &group{sub: j.Subscription.ID}
			of[g.sub] = g
			groups = append(groups, g)
		}
		g.jobs = append(g.jobs, j)
	}
	f.mu.Lock()
	for _, g := range groups {
		f.busy[g.sub]++
	}
	f.mu.Unlock()
	return groups
}

// land marks g finished; alone, if its round had left it.
func (f *fleet) land(g *group, alone bool) {
	f.mu.Lock()
	if f.busy[g.sub]--; f.busy[g.sub] <= 0 {
		delete(f.busy, g.sub)
	}
	f.mu.Unlock()
	if alone {
		select {
		case f.landed <- struct{}{}:
		default:
		}
		f.alone.Done()
	}
}

// group is one round's deliveries to one subscription.
type group struct {
	sub  string
	jobs []webhook.Job

	mu      sync.Mutex
	results []webhook.Result // made and not yet recorded
	err     error
	done    bool // every job made or passed over
	alone   bool // its round has moved on: it records what is left itself
}

// leave tells g, if it is not done, that its round has moved on without it (counted in alone),
// and reports whether it did.
func (g *group) leave(alone *sync.WaitGroup) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.done {
		return false
	}
	g.alone = true
	alone.Add(1)
	return true
}

// fly makes g's deliveries, at most half the process's slots' worth at a time, recording them as
// they finish settleEvery at a time (and at once in the lease's second half, so no attempt is
// recorded after its claim has lapsed and been taken over). When all are made it hands what is
// left to record back to its round or, if the round has moved on, records it itself.
func (s *Service) fly(ctx context.Context, g *group, until time.Time, back chan<- *group, report func(error)) {
	own := make(chan struct{}, max(1, s.opts.Concurrency/2))
	var wg sync.WaitGroup
	for _, j := range g.jobs {
		own <- struct{}{}
		s.fleet.slots <- struct{}{}
		wg.Add(1)
		go func(j webhook.Job) {
			defer func() { <-s.fleet.slots; <-own; wg.Done() }()
			// Sent only while the claim will outlast the attempt by a third of the lease: a
			// subscription held up behind its slow receiver sent deliveries whose lease had
			// lapsed, which another process had claimed and sent too. One not sent keeps its
			// claim until the lease ends, then any process takes it.
			if until.Sub(s.Now()) < s.opts.Timeout+s.opts.Lease/3 {
				return
			}
			r, err := s.deliver(ctx, j)
			if errors.Is(err, errAborted) { // and so every one after it: the claim lapses
				return
			}
			g.mu.Lock()
			var batch []webhook.Result
			if err != nil {
				g.err = errors.Join(g.err, err)
			} else if g.results = append(g.results, r); len(g.results) >= settleEvery || until.Sub(s.Now()) < s.opts.Lease/2 {
				batch, g.results = g.results, nil
			}
			g.mu.Unlock()
			if err := s.settle(ctx, batch); err != nil {
				g.mu.Lock()
				g.err = errors.Join(g.err, err)
				g.mu.Unlock()
			}
		}(j)
	}
	wg.Wait()
	g.mu.Lock()
	g.done = true
	alone := g.alone
	g.mu.Unlock()
	if !alone {
		back <- g
		return
	}
	err := errors.Join(g.err, s.settle(ctx, g.results))
	s.fleet.land(g, true)
	if casework.Wrap(&err, "dispatch events"); err != nil && ctx.Err() == nil {
		report(err)
	}
}

// settle records the attempts rs in one transaction, and tells of each subscription that turned
// failing with them. Recorded even if ctx has ended: the attempts were made.
func (s *Service) settle(ctx context.Context, rs []webhook.Result) error {
	if len(rs) == 0 {
		return nil
	}
	subs := map[string]webhook.Subscription{}
	for _, r := range rs {
		subs[r.Attempt.SubscriptionID] = r.Subscription
	}
	return s.db.InTx(context.WithoutCancel(ctx), func(tx Tx) error {
		failing, err := tx.WebhookQueue().Settle(s.Now(), rs)
		if err != nil {
			return err
		}
		for _, id := range failing {
			sub := subs[id]
			sub.Status = webhook.Failing
			if err := tx.Publish(s.Notice(outbox.WebhookSubscriptionFailing, sub.ID, subscriptionPayload(sub))); err != nil {
				return err
			}
		}
		return nil
	})
}

// errAborted is an attempt cut short by the process stopping (ctx ended before an answer): it
// is not the receiver's failure, so it is not recorded, and the delivery's claim is left to lapse
// for any process to send it again, rather than waiting out a retry's back-off and counting
// towards the subscription's failing.
var errAborted = errors.New("attempt aborted: the dispatcher is stopping")

// deliver makes one attempt at j and returns it, to be recorded, or errAborted.
func (s *Service) deliver(ctx context.Context, j webhook.Job) (webhook.Result, error) {
	if j.Unsigned != nil {
		return webhook.Result{}, j.Unsigned
	}
	body, err := json.Marshal(BodyOf(j.Event))
	if err != nil {
		return webhook.Result{}, err
	}
	start := s.Now()
	a := webhook.Attempt{ID: casework.NewID(), SubscriptionID: j.Subscription.ID, EventID: j.Event.ID, EventType: j.Event.Type,
		Attempt: j.Attempts + 1, AttemptedAt: start}
	a.ResponseCode, a.Error = s.post(ctx, j, body, start)
	if ctx.Err() != nil && a.ResponseCode == 0 {
		return webhook.Result{}, errAborted
	}
	a.Latency = s.Now().Sub(start)
	first := start
	if j.FirstAttempt != nil {
		first = *j.FirstAttempt
	}
	gaveUp := false
	if !a.Succeeded() {
		next, ok := s.opts.Retry.Next(a.Attempt, first, start)
		if ok {
			a.NextRetryAt = &next
		} else {
			gaveUp = true
		}
	}
	if o := s.opts.Observer; o != nil {
		o.Attempted(j.Event.Type, a.ResponseCode, a.Succeeded(), a.Latency, s.Now().Sub(j.Event.OccurredAt))
		if gaveUp {
			o.GaveUp(j.Event.Type)
		}
	}
	return webhook.Result{Attempt: a, GaveUp: gaveUp, Subscription: j.Subscription}, nil
}

// post sends one delivery. The answer's body is read (to reuse the connection) but never kept:
// it is the receiver's, and may hold anything.
func (s *Service) post(ctx context.Context, j webhook.Job, body []byte, at time.Time) (int, string) {
	sig, err := Sign(j.Subscription.Secrets(at), j.Event.ID, at, body)
	if err != nil {
		return 0, "signing_failed"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, j.Subscription.URL, bytes.NewReader(body))
	if err != nil {
		return 0, "bad_url"
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "OnePlan-Webhooks/1")
	req.Header.Set("webhook-id", j.Event.ID)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(at.Unix(), 10))
	req.Header.Set("webhook-signature", sig)
	resp, err := s.client.http.Do(req)
	if err != nil {
		switch {
		case errors.Is(err, webhook.ErrRefusedAddress):
			return 0, "refused_address"
		case errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "Client.Timeout"):
			return 0, "timeout"
		}
		return 0, "connection_failed"
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, "status_" + strconv.Itoa(resp.StatusCode)
	}
	return resp.StatusCode, ""
}

// Prune deletes what has been published and settled for longer than the retention.
func (s *Service) Prune(ctx context.Context) (n int64, err error) {
	defer casework.Wrap(&err, "prune the outbox")
	err = s.db.InTx(ctx, func(tx Tx) error {
		n, err = tx.WebhookQueue().Prune(s.Now().Add(-s.opts.Retention), 10000)
		return err
	})
	return n, err
}
