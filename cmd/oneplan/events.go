package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/store"
)

// events runs the events subcommands: tail.
func events(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "tail" {
		return fmt.Errorf("usage: oneplan events tail [--from-start]")
	}
	fs := flags("events tail [--from-start]", "Print events as they commit, in commit order, until interrupted. A running server numbers "+
		"committed events (within ONEPLAN_DISPATCH_INTERVAL); this follows them. It reads the database directly, so it is for an "+
		"operator or a developer on the server's own machine.", stderr)
	fromStart := fs.Bool("from-start", false, "print every event still kept first")
	if ok, err := parse(fs, args[1:]); !ok {
		return err
	}
	a, err := open(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = a.store.Close() }()
	ctx, cancel := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer cancel()
	return tail(ctx, a.store, *fromStart, stdout)
}

// tail prints one line per event: sequence, time, type, record type and id, and the child's id.
func tail(ctx context.Context, st *store.Store, fromStart bool, stdout io.Writer) error {
	var after int64
	first := true
	for ctx.Err() == nil {
		err := st.Read(ctx, func(tx *store.Tx) error {
			for {
				evs, next, err := tx.Feed().After(after, nil, nil, time.Time{}, access.All, 200)
				if err != nil {
					return err
				}
				if first && !fromStart {
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
