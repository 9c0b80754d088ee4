package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/oneplan-send/oneplan/internal/config"
)

// healthcheck asks a running server whether it is up (or, with --ready, ready), for a container's
// HEALTHCHECK: the distroless image has no shell and no curl. It exits 0 on a 200, 1 otherwise.
func healthcheck(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flags("healthcheck [--ready] [--url URL]", "Ask the server listening on ONEPLAN_ADDR for /healthz (or /readyz with --ready); fail unless it answers 200.", stderr)
	ready := fs.Bool("ready", false, "ask /readyz (the database answers) instead of /healthz (the process is up)")
	url := fs.String("url", "", "the URL to ask instead (default: /healthz or /readyz on ONEPLAN_ADDR, through loopback)")
	timeout := fs.Duration("timeout", 3*time.Second, "how long to wait for the answer")
	if ok, err := parse(fs, args); !ok {
		return err
	}
	target := *url
	if target == "" {
		cfg, err := config.FromEnv()
		if err != nil {
			return err
		}
		path := "/healthz"
		if *ready {
			path = "/readyz"
		}
		target = "http://" + loopback(cfg.Addr) + path
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	defer func() { _ = resp.Body.Close() }()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: %s answered %d", target, resp.StatusCode)
	}
	fmt.Fprintf(stdout, "%s: %d\n", target, resp.StatusCode)
	return nil
}

// loopback turns a listening address into one to dial: a wildcard host (0.0.0.0, ::, none)
// becomes the loopback address of its family.
func loopback(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	switch host {
	case "", "0.0.0.0":
		host = "127.0.0.1"
	case "::", "[::]":
		host = "::1"
	}
	return net.JoinHostPort(host, port)
}
