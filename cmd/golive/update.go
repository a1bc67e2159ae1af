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

	"github.com/golive/golive/bot"
	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/launch"
)

// updateArgs are the flags of `golive import --update`.
type updateArgs struct {
	channel, by, team, file, db string
	listItems                   bool
}

// runUpdate is `golive import --update`: it brings a newer version of the
// checklist into the channel's active launch, prints what changed and
// returns check's exit status for the launch, 2 when nothing was updated.
func runUpdate(a updateArgs, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	fail := func(format string, args ...any) int {
		fmt.Fprintf(stderr, "golive import: "+format+"\n", args...)
		return 2
	}
	switch {
	case a.channel == "":
		fmt.Fprint(stderr, "golive import: give --channel with --update\n\n"+importUsage)
		return 2
	case !channelIDRe.MatchString(a.channel):
		return fail("--channel %q is not a channel id: it looks like C0123ABCD (in Slack: the channel's details, at the bottom)", a.channel)
	case a.by != "" && !userIDRe.MatchString(a.by):
		return fail("--by %q is not a user id: it looks like U0123ABCD (in Slack: the person's profile, ⋮, Copy member ID)", a.by)
	case a.team != "" && !teamIDRe.MatchString(a.team):
		return fail("--team %q is not a team id: it looks like T0123ABCD", a.team)
	}
	src, err := readChecklist(a.file, stdin)
	if err != nil {
		return fail("%s: %v", inputName(a.file), err)
	}
	next, imp, err := checklist.ParseWith([]byte(launch.StripBidi(string(src))), checklist.ParseOptions{ListItems: a.listItems})
	if err != nil {
		fmt.Fprintf(stderr, "golive import: %s: %v\n", inputName(a.file), err)
		if e, ok := checklist.IsNoItems(err); ok && e.ListItems > 0 {
			fmt.Fprintf(stderr, "To import every list item as an item: add --list-items\n")
		}
		if imp != nil {
			for _, l := range imp.Problems() {
				fmt.Fprintln(stderr, l)
			}
		}
		return 2
	}
	if err := launch.CheckChecklist(next); err != nil {
		return fail("%s: %s", inputName(a.file), launch.ErrorMessage(err))
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	st, err := openForImport(ctx, databasePath(a.db, getenv))
	if err != nil {
		return fail("%v", err)
	}
	defer st.Close()
	clk, err := parseClock(getenv("GOLIVE_CLOCK"))
	if err != nil {
		return fail("%v", err)
	}
	if clk != nil {
		st.Now = clk.Now
	}
	team, err := importTeam(ctx, st, a.team)
	if err != nil {
		return fail("%v", err)
	}
	current, err := st.LaunchByChannel(ctx, team, a.channel)
	if err != nil {
		if launch.ErrorCode(err) == launch.ENOTFOUND {
			return fail("channel %s has no active launch to update: start one with golive import --name ... --date ... FILE", a.channel)
		}
		return fail("channel %s: %s", a.channel, launch.ErrorMessage(err))
	}
	var diff launch.Diff
	by := a.by
	// The channel is told by the server, through the outbox: the notice is
	// stored with the change, in its transaction.
	l, err := st.Update(ctx, current.ID, func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
		if l.Archived {
			return nil, launch.Errorf(launch.ECONFLICT, "the launch “%s” was archived meanwhile", l.Name)
		}
		if by == "" {
			// The shell's user has the database: they act for the creator.
			by = l.Creator
		}
		d, events, err := l.UpdateChecklist(by, next, now)
		diff = d
		if err != nil || len(events) == 0 {
			return events, err
		}
		// The channel hears of the update (and of a GO it left stale).
		return events, bot.TellNotices(l, now)
	})
	if err != nil {
		if launch.ErrorCode(err) != "" {
			return fail("channel %s: %s", a.channel, launch.ErrorMessage(err))
		}
		return fail("%v", err)
	}
	if err := writeDiff(stdout, l, diff); err != nil {
		fmt.Fprintf(stderr, "golive import: the launch was updated, but the changes could not be written: %v\n", err)
	}
	report := l.Decide(st.Now())
	if diff.Empty() {
		fmt.Fprintf(stderr, "golive import: “%s” (id %d) already has this checklist: nothing changed. Decision: %s.\n", l.Name, l.ID, report.Decision.Outcome)
	} else {
		fmt.Fprintf(stderr, "golive import: updated the launch “%s” (id %d) in channel %s: %s; the channel is told when golive serve runs. Decision: %s.\n",
			l.Name, l.ID, l.ChannelID, diff.Summary(), report.Decision.Outcome)
	}
	return exitStatus(report.Decision.Outcome)
}

// writeDiff prints an update's changes: counts, then each change.
func writeDiff(out io.Writer, l *launch.Launch, d launch.Diff) error {
	w := &strings.Builder{}
	fmt.Fprintf(w, "Update of “%s”: %s\n", l.Name, d.Summary())
	for _, c := range d.Changes {
		done := ""
		if c.Done {
			done = " (was done)"
		}
		switch c.Kind {
		case launch.ChangeAdded:
			fmt.Fprintf(w, "+ %d [%s] %s\n", c.Number, c.Section, c.After)
		case launch.ChangeRemoved:
			fmt.Fprintf(w, "- %d [%s] %s%s\n", c.Number, c.Section, c.Before, done)
		case launch.ChangeReworded:
			fmt.Fprintf(w, "~ %d [%s] %s%s\n      now: %s\n", c.Number, c.Section, c.Before, done, c.After)
		}
	}
	for _, o := range d.Other {
		fmt.Fprintf(w, "* %s\n", o)
	}
	if len(d.Signoffs) > 0 {
		fmt.Fprintf(w, "Sign-offs voided: %s\n", strings.Join(d.Signoffs, ", "))
	}
	if len(d.Verdicts) > 0 {
		fmt.Fprintf(w, "Answers back to pending: %s\n", strings.Join(d.Verdicts, ", "))
	}
	_, err := io.WriteString(out, w.String())
	return err
}
