package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/outbox"
	"github.com/oneplan-send/oneplan/internal/store"
	"github.com/oneplan-send/oneplan/internal/webhook"
)

// events runs the events subcommands: tail.
func events(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	const usage = "events tail [--from-start] [--types a,b] [--admin]"
	if len(args) == 0 || args[0] != "tail" {
		return fmt.Errorf("usage: oneplan %s", usage)
	}
	fs := flags(usage, "Print events as they commit, in commit order, until interrupted. A running server numbers "+
		"committed events (within ONEPLAN_DISPATCH_INTERVAL); this follows them. It reads the database directly, so it is for an "+
		"operator or a developer on the server's own machine. As GET /v1/events, it leaves out the service's administrative "+
		"events (API keys, webhook subscriptions) unless asked for them.", stderr)
	fromStart := fs.Bool("from-start", false, "print every event still kept first")
	types := fs.String("types", "", "only these event types, comma-separated (GET /v1/event-types lists them)")
	admin := fs.Bool("admin", false, "include the administrative events (API keys, webhook subscriptions)")
	if ok, err := parse(fs, args[1:]); !ok {
		return err
	}
	o, err := tailOptionsOf(*fromStart, *types, *admin)
	if err != nil {
		return err
	}
	a, err := open(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = a.store.Close() }()
	ctx, cancel := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer cancel()
	return tail(ctx, a.store, o, stdout)
}

// tailOptions are what tail prints: from the start or from now, only types (all when empty),
// leaving out events about records of the types in omit.
type tailOptions struct {
	fromStart   bool
	types, omit []string
}

// tailOptionsOf reads the flags: types comma-separated, each one of the catalogue's; the
// administrative events left out unless admin, or unless types names what to print.
func tailOptionsOf(fromStart bool, types string, admin bool) (tailOptions, error) {
	o := tailOptions{fromStart: fromStart}
	for t := range strings.SplitSeq(types, ",") {
		if t = strings.TrimSpace(t); t != "" {
			o.types = append(o.types, t)
		}
	}
	if t, ok := outbox.Unknown(o.types); ok {
		return o, fmt.Errorf("--types: no such event type %q (GET /v1/event-types lists them)", t)
	}
	if !admin && len(o.types) == 0 {
		o.omit = webhook.AdministrativeRecordTypes
	}
	return o, nil
}

// tail prints one line per event: sequence, time, type, record type and id, and the child's id.
func tail(ctx context.Context, st *store.Store, o tailOptions, stdout io.Writer) error {
	var after int64
	first := true
	for ctx.Err() == nil {
		err := st.Read(ctx, func(tx *store.Tx) error {
			for {
				evs, next, err := tx.Feed().After(after, o.types, o.omit, time.Time{}, access.All, 200)
				if err != nil {
					return err
				}
				if first && !o.fromStart {
					// Start at the end: skip what was there before.
					after, first = next, false
					if len(evs) == 200 {
						continue
					}
					return nil
				}
				first = false
				for _, e := range evs {
					fmt.Fprintf(stdout, "%d\t%s\t%s\t%s\t%s\t%s\n", e.Seq, e.OccurredAt.Format(time.RFC3339), e.Type, e.RecordType, e.RecordID, e.YoungPersonID)
				}
				after = next
				if len(evs) < 200 {
					return nil
				}
			}
		})
		if err != nil && ctx.Err() == nil {
			return err
		}
		select {
		case <-ctx.Done():
		case <-time.After(200 * time.Millisecond):
		}
	}
	return nil
}
