package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"time"
)

// healthcheckTimeout bounds the whole probe; Docker's own timeout is longer.
const healthcheckTimeout = 3 * time.Second

// runHealthcheck is `golive healthcheck`: it GETs /healthz of the server on
// GOLIVE_ADDR (GOLIVE_CONSOLE_ADDR when the local console is on, as serve
// does) and exits 0 when it answers 200, 1 otherwise. The distroless
// image has no curl, so its HEALTHCHECK runs this.
func runHealthcheck(args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	fs := flag.NewFlagSet("healthcheck", flag.ContinueOnError)
	target := fs.String("url", "", "URL to probe (default http://127.0.0.1:PORT/healthz, PORT from GOLIVE_ADDR, or GOLIVE_CONSOLE_ADDR with the console on)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: golive healthcheck [--url URL]")
		fmt.Fprintln(fs.Output(), "GETs /healthz of the golive server on GOLIVE_ADDR (GOLIVE_CONSOLE_ADDR with the local console on): exit status 0 when it answers 200, 1 otherwise.")
		fs.PrintDefaults()
	}
	rest, status, ok := parseFlags(fs, args, false, stdout, stderr)
	if !ok {
		return status
	}
	if len(rest) > 0 {
		fmt.Fprintf(stderr, "golive healthcheck: unexpected argument %q\n", rest[0])
		fs.Usage()
		return 2
	}
	url := *target
	if url == "" {
		name, def := "GOLIVE_ADDR", defaultAddr
		if consoleOn(getenv) {
			name, def = "GOLIVE_CONSOLE_ADDR", defaultConsoleAddr
		}
		addr := strings.TrimSpace(getenv(name))
		if addr == "" {
			addr = def
		}
		if err := checkAddr(name, addr); err != nil {
			fmt.Fprintf(stderr, "golive healthcheck: %v\n", err)
			return 2
		}
		url = healthURL(addr)
	}

	ctx, cancel := context.WithTimeout(context.Background(), healthcheckTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		fmt.Fprintf(stderr, "golive healthcheck: %v\n", err)
		return 2
	}
	resp, err := http.DefaultClient.Do(req)
	if errors.Is(err, syscall.ECONNREFUSED) {
		fmt.Fprintf(stderr, "golive healthcheck: nothing listens at %s (connection refused): is golive serve running, on GOLIVE_ADDR or --url?\n", url)
		return 1
	}
	if err != nil {
		fmt.Fprintf(stderr, "golive healthcheck: %v\n", err)
		return 1
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintf(stderr, "golive healthcheck: %s answered %s\n", url, resp.Status)
		return 1
	}
	fmt.Fprintf(stdout, "ok %s\n", url)
	return 0
}

// healthURL turns a listen address into the URL of its /healthz on this
// machine: a wildcard or empty host is probed on the loopback address.
func healthURL(addr string) string {
	host, port, _ := net.SplitHostPort(addr)
	switch host {
	case "", "0.0.0.0":
		host = "127.0.0.1"
	case "::":
		host = "::1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/healthz"
}

// consoleOn tells, as LoadConfig does, whether serve runs the local console:
// GOLIVE_CONSOLE when set, otherwise only without SLACK_BOT_TOKEN.
func consoleOn(getenv func(string) string) bool {
	if v := strings.TrimSpace(getenv("GOLIVE_CONSOLE")); v != "" {
		on, _ := parseSwitch("GOLIVE_CONSOLE", v, "")
		return on
	}
	return strings.TrimSpace(getenv("SLACK_BOT_TOKEN")) == ""
}
