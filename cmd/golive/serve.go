package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/golive/golive/internal/metrics"
	"github.com/golive/golive/internal/ops"
	"github.com/golive/golive/store"
)

// Server timeouts. ReadHeaderTimeout stops slow-header clients from holding
// connections; Slack's requests are small and answered within 3 seconds.
const (
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 15 * time.Second
	writeTimeout      = 30 * time.Second
	idleTimeout       = 2 * time.Minute
	// maxHeaderBytes caps a request's headers (Go's default is 1 MB).
	// Slack's are well under 2 KB; anything near the cap is refused with 431
	// before a handler, or a log line, sees it.
	maxHeaderBytes = 16 << 10
	// httpShutdownTimeout bounds the wait for requests in flight at shutdown.
	httpShutdownTimeout = 10 * time.Second
	// readyTimeout bounds a /readyz answer. It is shorter than SQLite's 5 s
	// busy timeout, which a ping of a locked database waits out: the probe
	// gets a 503 instead of hanging.
	readyTimeout = 2 * time.Second
)

// runServe is `golive serve` (and a bare `golive`): the HTTP server with the
// health and metrics endpoints, and, with Slack credentials, the bot and the
// reminder scheduler. The first SIGINT or SIGTERM shuts down gracefully, a
// second one exits at once.
func runServe(args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	addr := fs.String("addr", "", "listen address, overrides GOLIVE_ADDR (default :8080)")
	db := fs.String("db", "", "SQLite database file, overrides GOLIVE_DB (default ./golive.db)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: golive serve [--addr host:port] [--db path]")
		fmt.Fprintln(fs.Output(), "Runs the bot; configuration comes from the environment (see .env.example and docs/configuration.md).")
		fs.PrintDefaults()
	}
	rest, status, ok := parseFlags(fs, args, false, stdout, stderr)
	if !ok {
		return status
	}
	if len(rest) > 0 {
		fmt.Fprintf(stderr, "golive serve: unexpected argument %q\n", rest[0])
		return 2
	}

	cfg, err := LoadConfig(func(name string) string {
		switch {
		case name == "GOLIVE_ADDR" && *addr != "":
			return *addr
		case name == "GOLIVE_DB" && *db != "":
			return *db
		}
		return getenv(name)
	})
	if err != nil {
		for _, line := range strings.Split(err.Error(), "\n") {
			fmt.Fprintf(stderr, "golive: %s\n", line)
		}
		return 2
	}
	log := newLogger(cfg, stderr)

	ctx, stop := shutdownOnSignal(log)
	defer stop()

	ln, err := net.Listen("tcp", cfg.ListenAddr())
	if err != nil {
		setting := "GOLIVE_ADDR"
		if cfg.Mode() == ModeConsole {
			setting = "GOLIVE_CONSOLE_ADDR"
		}
		log.Error("cannot listen: choose another "+setting+" or stop what holds the port", "addr", cfg.ListenAddr(), "err", err)
		return 1
	}
	if err := serve(ctx, cfg, ln, log); err != nil {
		log.Error("golive stopped", "err", err)
		return 1
	}
	return 0
}

// newLogger returns the JSON (default) or text logger at the configured level.
func newLogger(cfg Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

// shutdownOnSignal returns a context cancelled by the first SIGINT or
// SIGTERM; a second signal exits the process at once, for when a graceful
// shutdown hangs.
func shutdownOnSignal(log *slog.Logger) (context.Context, func()) {
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case sig := <-sigs:
			log.Info("shutting down; a second signal exits at once", "signal", sig.String())
			cancel()
		case <-done:
			return
		}
		select {
		case sig := <-sigs:
			log.Warn("second signal: exiting without finishing the shutdown", "signal", sig.String())
			os.Exit(1)
		case <-done:
		}
	}()
	return ctx, func() {
		signal.Stop(sigs)
		close(done)
		cancel()
	}
}

// serve runs golive on ln until ctx is cancelled, then shuts down in order:
// readiness fails, the HTTP server stops taking requests and finishes those
// in flight, Slack (Socket Mode, scheduler, pending refreshes) stops, and the
// database closes.
func serve(ctx context.Context, cfg Config, ln net.Listener, log *slog.Logger) (err error) {
	defer ln.Close()
	st, err := openDatabase(ctx, cfg.DB)
	if err != nil {
		return fmt.Errorf("%w (GOLIVE_DB=%s)", err, store.Redacted(cfg.DB))
	}
	defer func() {
		if cerr := st.Close(); cerr != nil {
			err = errors.Join(err, cerr)
		}
		log.Info("database closed", "db", store.Redacted(cfg.DB))
	}()

	if cfg.Clock != nil {
		st.Now = cfg.Clock.Now
	}
	m := metrics.New(buildVersion())
	st.OnBusy = m.DBBusy
	health := ops.NewHealth(ops.Check{Name: "database", Run: st.Ping})
	health.Timeout = readyTimeout
	mux := ops.NewMux(health, m.Registry())
	log.Info("starting golive", "version", buildVersion(), "config", cfg)

	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	served := make(chan error, 1)
	serving := false
	startServing := func() {
		serving = true
		go func() { served <- srv.Serve(ln) }()
	}

	stopSlack := func() {}
	deps := slackDeps{cfg: cfg, store: st, metrics: m, mux: mux, health: health, log: log}
	switch cfg.Mode() {
	case ModeOffline:
		log.Warn(offlineHelp(ln.Addr().String()))
	case ModeConsole:
		// The bot's Web API calls go to the console on this server: it
		// must be serving before the bot starts.
		startServing()
		stopSlack, err = startConsole(ctx, deps, ln.Addr())
		if err != nil {
			_ = srv.Close()
			<-served
			return err
		}
	default:
		stopSlack, err = startSlack(ctx, deps)
		if err != nil {
			return err
		}
	}
	if !serving {
		startServing()
	}
	log.Info("listening", "addr", ln.Addr().String(), "mode", string(cfg.Mode()),
		"endpoints", "/healthz /livez /readyz /metrics")

	select {
	case <-ctx.Done():
	case err := <-served:
		stopSlack()
		return fmt.Errorf("http server: %w", err)
	}

	health.ShuttingDown()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), httpShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		log.Warn("requests still in flight at the shutdown deadline were cut", "err", err)
	}
	<-served
	log.Info("http server stopped")
	stopSlack()
	return nil
}

// offlineHelp is the paragraph logged when no Slack credentials are set.
func offlineHelp(addr string) string {
	return "Slack is not connected: SLACK_BOT_TOKEN is not set and GOLIVE_CONSOLE is off, so golive serves only its health and metrics endpoints " +
		"(/healthz, /readyz, /metrics on " + addr + "). To connect, create the Slack app from manifest.yml (docs/slack.md), " +
		"copy .env.example to .env and set SLACK_BOT_TOKEN (xoxb-...) with SLACK_SIGNING_SECRET for HTTP mode, " +
		"or SLACK_BOT_TOKEN with SLACK_APP_TOKEN (xapp-...) for Socket Mode, then start golive again (make run loads .env). " +
		"Meanwhile GOLIVE_CONSOLE=on runs the local console, a Slack-like page on GOLIVE_CONSOLE_ADDR (docs/console.md), " +
		"`golive check --template web` scores a built-in checklist offline, and `golive check FILE.md` scores your own " +
		"(the binary is bin/golive after make run, /golive in the Docker image)."
}
