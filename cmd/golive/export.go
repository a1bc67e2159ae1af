package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/golive/golive/internal/export"
	"github.com/golive/golive/internal/launch"
)

// runExport is `golive export --channel C [--team T] [--format json|csv|md]`:
// it prints the channel's active launch from the database (GOLIVE_DB), also
// while the bot runs.
func runExport(args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	flags := flag.NewFlagSet("export", flag.ContinueOnError)
	channel := flags.String("channel", "", "the launch's Slack channel id, C0123ABCD (required)")
	team := flags.String("team", "", "the Slack team id, T0123ABCD, when the channel id alone is ambiguous")
	format := flags.String("format", "json", "json, csv or md")
	db := flags.String("db", "", "the database, overrides GOLIVE_DB (default ./golive.db)")
	flags.Usage = func() {
		fmt.Fprintln(flags.Output(), "usage: golive export --channel C0123ABCD [--team T0123ABCD] [--format json|csv|md]")
		fmt.Fprintln(flags.Output(), "Prints the channel's active launch: its readiness report, every item and every role.")
		flags.PrintDefaults()
	}
	rest, status, ok := parseFlags(flags, args, true, stdout, stderr)
	if !ok {
		return status
	}
	if len(rest) != 0 || strings.TrimSpace(*channel) == "" {
		flags.Usage()
		return 2
	}
	write, ok := exportFormats[strings.ToLower(*format)]
	if !ok {
		fmt.Fprintf(stderr, "golive export: unknown format %q: use json, csv or md\n", *format)
		return 2
	}
	path := databasePath(*db, getenv)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	l, err := exportedLaunch(ctx, path, strings.TrimSpace(*team), strings.TrimSpace(*channel))
	if err != nil {
		fmt.Fprintf(stderr, "golive export: %v\n", err)
		return 1
	}
	data, err := write(l, time.Now())
	if err != nil {
		fmt.Fprintf(stderr, "golive export: %v\n", err)
		return 1
	}
	if _, err := stdout.Write(data); err != nil {
		fmt.Fprintf(stderr, "golive export: write: %v\n", err)
		return 1
	}
	return 0
}

// exportFormats write a launch in each format of export.
var exportFormats = map[string]func(l *launch.Launch, now time.Time) ([]byte, error){
	"json": export.JSON,
	"csv":  func(l *launch.Launch, _ time.Time) ([]byte, error) { return export.CSV(l) },
	"md":   func(l *launch.Launch, _ time.Time) ([]byte, error) { return export.Markdown(l) },
}

// exportedLaunch finds the active launch of channel (in team, when given).
func exportedLaunch(ctx context.Context, path, team, channel string) (*launch.Launch, error) {
	st, err := openExisting(ctx, path)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	if team != "" {
		l, err := st.LaunchByChannel(ctx, team, channel)
		if launch.ErrorCode(err) == launch.ENOTFOUND {
			return nil, fmt.Errorf("no active launch in channel %s of team %s", channel, team)
		}
		return l, err
	}
	found, err := st.LaunchesInChannel(ctx, channel)
	if err != nil {
		return nil, err
	}
	switch len(found) {
	case 0:
		return nil, fmt.Errorf("no active launch in channel %s: the channel id looks like C0123ABCD (in Slack: the channel's details, at the bottom)", channel)
	case 1:
		return found[0], nil
	default:
		teams := make([]string, len(found))
		for i, l := range found {
			teams[i] = l.TeamID
		}
		return nil, fmt.Errorf("channel %s has active launches in several teams (%s): say which with --team", channel, strings.Join(teams, ", "))
	}
}
