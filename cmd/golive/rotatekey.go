package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"syscall"

	"github.com/slack-go/slack"

	"github.com/golive/golive/bot/install"
)

// runRotateKey is `golive rotate-key [--db PATH]`: every workspace's
// tokens sealed again with the first key of GOLIVE_ENCRYPTION_KEY, while
// golive runs, so that the keys after it can be dropped
// (docs/distribution.md#rotating-the-encryption-key).
func runRotateKey(args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	flags := flag.NewFlagSet("rotate-key", flag.ContinueOnError)
	db := flags.String("db", "", "the database, overrides GOLIVE_DB (default ./golive.db)")
	flags.Usage = func() {
		fmt.Fprintln(flags.Output(), "usage: golive rotate-key [--db path]")
		fmt.Fprintln(flags.Output(), "Seals every workspace's tokens again with the first key of GOLIVE_ENCRYPTION_KEY (new,old),")
		fmt.Fprintln(flags.Output(), "after which the old key can be removed from it.")
		flags.PrintDefaults()
	}
	rest, status, ok := parseFlags(flags, args, true, stdout, stderr)
	if !ok {
		return status
	}
	if len(rest) != 0 {
		flags.Usage()
		return 2
	}
	cfg, err := LoadConfig(getenv)
	if err != nil {
		fmt.Fprintf(stderr, "golive rotate-key: %v\n", err)
		return 2
	}
	if !cfg.Distributed() {
		fmt.Fprintln(stderr, "golive rotate-key: golive is not distributed: set SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and GOLIVE_ENCRYPTION_KEY (the new key first, then the old: new,old)")
		return 2
	}
	path := databasePath(*db, getenv)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		fmt.Fprintf(stderr, "golive rotate-key: database %s does not exist: set GOLIVE_DB (or --db) to the file golive serve uses\n", path)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	st, err := openDatabase(ctx, path)
	if err != nil {
		fmt.Fprintf(stderr, "golive rotate-key: %v\n", err)
		return 1
	}
	defer st.Close()
	w, err := install.New(install.Config{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret.Reveal(), Keys: cfg.Keys, Store: st,
		NewClient: func(string, string) *slack.Client { return nil }})
	if err != nil {
		fmt.Fprintf(stderr, "golive rotate-key: %v\n", err)
		return 1
	}
	n, err := w.Reseal(ctx, st)
	if err != nil {
		fmt.Fprintf(stderr, "golive rotate-key: %v (%d sealed again before it)\n", err, n)
		return 1
	}
	fmt.Fprintf(stdout, "sealed the tokens of %d workspaces again with the first key; the other keys of GOLIVE_ENCRYPTION_KEY can be removed now\n", n)
	return 0
}
