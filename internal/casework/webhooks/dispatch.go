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
	Batch       int           // events sequenced per round
	Concurrency int           // deliveries in flight per process; a round claims no more than are free
	// PerSubscription caps the deliveries in flight to one subscription per process, so a slow
	// receiver holds at most this many of the Concurrency slots and the others keep flowing.
	PerSubscription int
	Lease           time.Duration // how long a claimed delivery is this process's before another may take it
	Timeout         time.Duration // per attempt
	Retry           webhook.Retry
	Retention       time.Duration // published events (and attempts) are pruned after this
	Observer        Observer      // metrics; nil for none
}

func (o Options) withDefaults() Options {
	if o.Interval <= 0 {
		o.Interval = 250 * time.Millisecond
	}
	if o.Batch <= 0 {
		o.Batch = 500
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 32
	}
	if o.PerSubscription <= 0 || o.PerSubscription > o.Concurrency {
		o.PerSubscription = max(1, o.Concurrency/4)
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
// runs out. Deliveries run in the background: a round claims only what this process has free
// slots for (Concurrency in all, PerSubscription per subscription), so every claimed delivery is
// sent at once and settled within its lease, and the next round does not wait for a slow receiver
// to answer before claiming other subscriptions' deliveries. An idle dispatcher backs off: after
// each round that found nothing it waits twice as long as before, from Interval up to 4 x
// Interval, and goes back to Interval once it finds work (or a slot frees), so idle replicas do
// not poll the database in a storm.
func (s *Service) Run(ctx context.Context, report func(error)) {
	f := s.newFlight(ctx)
	defer func() {
		// Attempts under way finish (their context has ended) and are recorded before Run returns.
		if err := f.close(); err != nil {
			report(err)
		}
	}()
	var lastPrune time.Time
	wait := s.opts.Interval
	for ctx.Err() == nil {
		busy, found, err := f.round(ctx)
		err = errors.Join(err, f.errors())
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
		case <-f.freed:
			wait = s.opts.Interval // a slot came free: claim again now
		case <-time.After(wait):
		}
	}
}

// settleEvery is how many finished attempts are recorded together at most: the settler records in
// one transaction whatever has finished since its last commit, so under load attempts are batched
// and when idle each is recorded at once (well within its lease).
const settleEvery = 64

// Round sequences what has committed, then claims what is due (as many as Concurrency, at most
// PerSubscription to one subscription), sends it and records the attempts before returning. It
// reports whether there may be more waiting (a full batch sequenced or a full claim).
func (s *Service) Round(ctx context.Context) (busy bool, err error) {
	f := s.newFlight(ctx)
	busy, _, err = f.round(ctx)
	return busy, errors.Join(err, f.close())
}

// flight is one process's deliveries under way: the slots they hold, and the settler that
// records their attempts.
type flight struct {
	s       *Service
	mu      sync.Mutex
	total   int            // deliveries claimed and not yet finished
	bySub   map[string]int // of which, to each subscription
	errs    error          // deliveries' and settles' errors not yet reported
	freed   chan struct{}  // a slot came free (one pending signal is enough)
	wg      sync.WaitGroup // deliveries under way
	results chan webhook.Result
	settled chan struct{} // closed when the settler has recorded everything
}

func (s *Service) newFlight(ctx context.Context) *flight {
	f := &flight{s: s, bySub: map[string]int{}, freed: make(chan struct{}, 1), results: make(chan webhook.Result, s.opts.Concurrency),
		settled: make(chan struct{})}
	go f.settler(ctx)
	return f
}

// settler records attempts as they finish: each transaction takes whatever has finished since the
// last (up to settleEvery), so a busy dispatcher commits once per many attempts and an idle one
// records an attempt as soon as it is made.
func (f *flight) settler(ctx context.Context) {
	defer close(f.settled)
	for r := range f.results {
		batch := []webhook.Result{r}
	more:
		for len(batch) < settleEvery {
			select {
			case r, ok := <-f.results:
				if !ok {
					break more
				}
				batch = append(batch, r)
			default:
				break more
			}
		}
		if err := f.s.settle(ctx, batch); err != nil {
			f.fail(err)
		}
	}
}

func (f *flight) fail(err error) {
	f.mu.Lock()
	f.errs = errors.Join(f.errs, err)
	f.mu.Unlock()
}

// errors takes the errors not yet reported.
func (f *flight) errors() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	err := f.errs
	f.errs = nil
	return err
}

// close waits for the deliveries under way and their records, and returns what went wrong.
func (f *flight) close() error {
	f.wg.Wait()
	close(f.results)
	<-f.settled
	return f.errors()
}

// round numbers what has committed and claims what this process has free slots for, in one
// transaction, and starts sending it without waiting for the answers. It reports whether there
// may be more (a full batch numbered, or every free slot filled) and whether it found anything.
func (f *flight) round(ctx context.Context) (busy, found bool, err error) {
	defer casework.Wrap(&err, "dispatch events")
	s := f.s
	f.mu.Lock()
	free := s.opts.Concurrency - f.total
	busySubs := make(map[string]int, len(f.bySub))
	for id, n := range f.bySub {
		busySubs[id] = n
	}
	f.mu.Unlock()
	var n int
	var jobs []webhook.Job
	err = s.db.InTx(ctx, func(tx Tx) error {
		if n, _, err = tx.WebhookQueue().Sequence(s.Now(), s.opts.Batch); err != nil {
			return err
		}
		if free <= 0 {
			return nil
		}
		jobs, err = tx.WebhookQueue().Claim(s.Now(), s.opts.Lease, free, s.opts.PerSubscription, busySubs)
		return err
	})
	if err != nil {
		return false, false, err
	}
	f.mu.Lock()
	for _, j := range jobs {
		f.total++
		f.bySub[j.Subscription.ID]++
	}
	f.mu.Unlock()
	for _, j := range jobs {
		f.wg.Add(1)
		go f.send(ctx, j)
	}
	return n == s.opts.Batch || (free > 0 && len(jobs) == free), n > 0 || len(jobs) > 0, nil
}

// send makes one attempt at j, if its lease still covers a whole attempt, and hands it to the
// settler; otherwise it gives j back unsent. Either way j's slot is freed.
func (f *flight) send(ctx context.Context, j webhook.Job) {
	defer func() {
		f.mu.Lock()
		f.total--
		if f.bySub[j.Subscription.ID]--; f.bySub[j.Subscription.ID] <= 0 {
			delete(f.bySub, j.Subscription.ID)
		}
		f.mu.Unlock()
		select {
		case f.freed <- struct{}{}:
		default:
		}
		f.wg.Done()
	}()
	s := f.s
	if !j.CanSend(s.Now(), s.opts.Timeout+(s.opts.Lease-s.opts.Timeout)/2) {
		// An attempt must end with half of what the lease has beyond its timeout to spare, for its
		// record; one that could outlive the lease could be sent again by another process.
		if err := s.db.InTx(context.WithoutCancel(ctx), func(tx Tx) error { return tx.WebhookQueue().Release([]webhook.Job{j}) }); err != nil {
			f.fail(err)
		}
		return
	}
	r, err := s.deliver(ctx, j)
	if err != nil {
		f.fail(err)
		return
	}
	f.results <- r
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
		failing, err := tx.WebhookQueue().Settle(rs)
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

// deliver makes one attempt at j and returns it, to be recorded.
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
	return webhook.Result{Attempt: a, GaveUp: gaveUp, Subscription: j.Subscription, LeasedUntil: j.LeasedUntil}, nil
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
