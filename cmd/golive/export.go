package main

import (
	"context"
	"errors"
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
	"github.com/golive/golive/store"
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
	*channel, *team = strings.TrimSpace(*channel), strings.TrimSpace(*team)
	switch {
	case !channelIDRe.MatchString(*channel):
		fmt.Fprintf(stderr, "golive export: --channel %q is not a channel id: it looks like C0123ABCD (in Slack: the channel's details, at the bottom)\n", *channel)
		return 2
	case *team != "" && !teamIDRe.MatchString(*team):
		fmt.Fprintf(stderr, "golive export: --team %q is not a team id: it looks like T0123ABCD\n", *team)
		return 2
	}
	path := databasePath(*db, getenv)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	l, err := exportedLaunch(ctx, path, *team, *channel)
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
	"csv":  func(l *launch.Launch, now time.Time) ([]byte, error) { return export.CSV(l, now) },
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
			return nil, noLaunchIn(ctx, st, path, channel+" of team "+team)
		}
		return l, err
	}
	found, err := st.LaunchesInChannel(ctx, channel)
	if err != nil {
		return nil, err
	}
	switch len(found) {
	case 0:
		return nil, noLaunchIn(ctx, st, path, channel)
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

// maxListed caps the launches an error lists.
const maxListed = 10

// noLaunchIn says that where (a channel) has no active launch, and which
// channels of the database have one, so a mistyped id is easy to see.
func noLaunchIn(ctx context.Context, st *store.ReadOnly, path, where string) error {
	path = store.Redacted(path)
	active, err := st.ActiveLaunchList(ctx)
	if err != nil {
		return fmt.Errorf("no active launch in channel %s (and the list of launches could not be read: %w)", where, err)
	}
	if len(active) == 0 {
		return fmt.Errorf("no active launch in channel %s: the database %s holds no active launch "+
			"(start one with /golive new in Slack, or golive import)", where, path)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "no active launch in channel %s of the database %s. Its active launches:", where, path)
	for i, l := range active {
		if i == maxListed {
			fmt.Fprintf(&b, "\n  … and %d more", len(active)-maxListed)
			break
		}
		fmt.Fprintf(&b, "\n  channel %s of team %s: “%s”, %s", l.ChannelID, l.TeamID, l.Name, l.Date)
	}
	return errors.New(b.String())
}
