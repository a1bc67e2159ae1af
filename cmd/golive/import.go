package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"regexp"
	"strings"
	"syscall"
	"time"

	"github.com/golive/golive/bot"
	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/launch"
	"github.com/golive/golive/store"
)

const importUsage = `Usage: golive import --channel C0123ABCD --name NAME --date YYYY-MM-DD --by U0123ABCD
                     [--time HH:MM] [--team T0123ABCD] [--list-items] FILE
       golive import --channel C0123ABCD --update FILE [--by U0123ABCD]
                     [--team T0123ABCD] [--list-items]

Starts a launch in the channel from a Markdown checklist, in the database
golive serve uses (GOLIVE_DB, or --db), also while the bot runs, and prints
the import report that golive check prints for the file. The channel is told
when the bot next runs (at once when it is running). --time defaults to
GOLIVE_REMINDER_TIME, the time zone is GOLIVE_TIMEZONE. --by is the Slack
user id of the launch's creator, who alone assigns its roles and archives it.
--team is needed only when the database holds launches of several teams, or
none yet. FILE - reads the checklist from standard input. Exit status: 0 for
a launch created with GO or CONDITIONAL GO, 1 for one created with NO-GO or
PENDING, 2 when nothing was created (a file that cannot be used, a bad date,
a channel that already has a launch).

With --update, the channel's active launch is brought up to a newer
version of its checklist instead: items are matched by section and text (and
by position where the text changed slightly) and keep their ticks, owners,
notes and N/A; new items arrive open, items gone from the file are removed
(kept in the audit log and the export). golive prints what changed, applies
it, and the channel is told. --by (default: the launch's creator) must be
the launch's creator. The launch keeps its name and date: --name, --date and
--time are refused with --update. Exit status: 0 or 1 as above for the
updated launch's decision, 2 when nothing was updated.
`

// Slack ids as the flags take them.
var (
	channelIDRe = regexp.MustCompile(`^[CG][A-Z0-9]{1,20}$`)
	userIDRe    = regexp.MustCompile(`^[UW][A-Z0-9]{1,20}$`)
	teamIDRe    = regexp.MustCompile(`^[TE][A-Z0-9]{1,20}$`)
)

// runImport is `golive import`: it creates a launch from a checklist file
// and returns check's exit status for it, 2 when nothing was created.
func runImport(args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	flags := flag.NewFlagSet("import", flag.ContinueOnError)
	flags.Usage = func() { fmt.Fprint(flags.Output(), importUsage) }
	channel := flags.String("channel", "", "the launch's Slack channel id, C0123ABCD (required)")
	name := flags.String("name", "", "the launch's name (required)")
	date := flags.String("date", "", "the launch date, YYYY-MM-DD (required)")
	at := flags.String("time", "", "the launch time, HH:MM (default GOLIVE_REMINDER_TIME)")
	by := flags.String("by", "", "the Slack user id of the launch's creator, U0123ABCD (required)")
	team := flags.String("team", "", "the Slack team id, T0123ABCD")
	listItems := flags.Bool("list-items", false, "make every list item an item, checkbox or not")
	db := flags.String("db", "", "the database, overrides GOLIVE_DB (default ./golive.db)")
	// A switch, not a flag with a value: `--update --by U1 FILE` must not
	// read "--by" as the file.
	update := flags.Bool("update", false, "bring FILE, a newer version of the checklist, into the channel's active launch")
	files, status, ok := parseFlags(flags, args, true, stdout, stderr)
	if !ok {
		return status
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "golive import: "+format+"\n", a...)
		return 2
	}
	if *update {
		var set []string
		flags.Visit(func(f *flag.Flag) {
			if f.Name == "name" || f.Name == "date" || f.Name == "time" {
				set = append(set, "--"+f.Name)
			}
		})
		switch {
		case len(set) > 0:
			return fail("--update brings a newer checklist into the channel's launch, which keeps its name, date and time: "+
				"drop %s (the date moves with `/golive date` in Slack)", strings.Join(set, ", "))
		case len(files) != 1:
			return fail("--update takes one checklist FILE, the newer version (got %d)", len(files))
		}
		return runUpdate(updateArgs{channel: *channel, by: *by, team: *team, file: files[0], listItems: *listItems, db: *db}, stdin, stdout, stderr, getenv)
	}
	if len(files) != 1 || *channel == "" || strings.TrimSpace(*name) == "" || *date == "" || *by == "" {
		fmt.Fprint(stderr, "golive import: give --channel, --name, --date, --by and one checklist FILE\n\n"+importUsage)
		return 2
	}
	switch {
	case !channelIDRe.MatchString(*channel):
		return fail("--channel %q is not a channel id: it looks like C0123ABCD (in Slack: the channel's details, at the bottom)", *channel)
	case !userIDRe.MatchString(*by):
		return fail("--by %q is not a user id: it looks like U0123ABCD (in Slack: the person's profile, ⋮, Copy member ID)", *by)
	case *team != "" && !teamIDRe.MatchString(*team):
		return fail("--team %q is not a team id: it looks like T0123ABCD", *team)
	}

	// The launch, checked before the database is opened.
	tz := getenv("GOLIVE_TIMEZONE")
	if tz == "" {
		tz = defaultTimezone
	}
	if err := checkTimezone(tz); err != nil {
		return fail("%v", err)
	}
	loc, _ := time.LoadLocation(tz)
	clk, err := parseClock(getenv("GOLIVE_CLOCK"))
	if err != nil {
		return fail("%v", err)
	}
	now := time.Now
	if clk != nil {
		now = clk.Now
	}
	day, err := launch.ReadDate(*date, now(), loc)
	if err != nil {
		return fail("--date: %s", launch.ErrorMessage(err))
	}
	clock := *at
	if clock == "" {
		if clock = getenv("GOLIVE_REMINDER_TIME"); clock == "" {
			clock = defaultReminderTime
		}
	}
	if _, _, err := launch.ParseTime(clock); err != nil {
		return fail("--time: %s", launch.ErrorMessage(err))
	}
	file := inputName(files[0])
	src, err := readChecklist(files[0], stdin)
	if err != nil {
		return fail("%s: %v", file, err)
	}
	list, imp, err := checklist.ParseWith([]byte(launch.StripBidi(string(src))), checklist.ParseOptions{ListItems: *listItems})
	if err != nil {
		fmt.Fprintf(stderr, "golive import: %s: %v\n", file, err)
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
	l := &launch.Launch{
		ChannelID: *channel,
		Name:      strings.TrimSpace(launch.StripBidi(*name)),
		Date:      day,
		Time:      clock,
		Timezone:  tz,
		Creator:   *by,
		Checklist: list,
	}
	if err := l.Validate(); err != nil {
		return fail("%s", launch.ErrorMessage(err))
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	path := databasePath(*db, getenv)
	st, err := openForImport(ctx, path)
	if err != nil {
		return fail("%v", err)
	}
	defer st.Close()
	st.Now = now
	if l.TeamID, err = importTeam(ctx, st, *team); err != nil {
		return fail("%v", err)
	}
	// The channel is told by the server, through the outbox: the notice is
	// stored with the launch, in its transaction.
	if err := bot.TellImport(l, *by); err != nil {
		return fail("%v", err)
	}
	if err := st.CreateLaunch(ctx, l, *by); err != nil {
		if launch.ErrorCode(err) != "" {
			return fail("channel %s: %s", l.ChannelID, launch.ErrorMessage(err))
		}
		return fail("%v", err)
	}
	fmt.Fprintf(stderr, "golive import: started the launch “%s” (id %d) for %s (%s) in channel %s of team %s, %d items; "+
		"the channel is told when golive serve runs.\n", l.Name, l.ID, l.When(), l.Timezone, l.ChannelID, l.TeamID, len(list.Items()))
	report := checklist.Score(list)
	if err := writeText(stdout, report, imp); err != nil {
		fmt.Fprintf(stderr, "golive import: the launch was created, but the report could not be written: %v\n", err)
	}
	return exitStatus(report.Decision.Outcome)
}

// openForImport opens the database golive serve uses for a write beside it:
// it must exist, and be at the schema this golive writes (it never migrates).
func openForImport(ctx context.Context, path string) (*store.Store, error) {
	ro, err := openExisting(ctx, path)
	if err != nil {
		return nil, err
	}
	if err := ro.Close(); err != nil {
		return nil, err
	}
	return store.OpenCurrent(ctx, path)
}

// importTeam is the team of the new launch: the flag's, else the one team
// the database holds launches of.
func importTeam(ctx context.Context, st *store.Store, flagTeam string) (string, error) {
	if flagTeam != "" {
		return flagTeam, nil
	}
	teams, err := st.Teams(ctx)
	if err != nil {
		return "", err
	}
	switch len(teams) {
	case 1:
		return teams[0], nil
	case 0:
		return "", errors.New("the database holds no launch yet, so its Slack team is unknown: give it with --team T0123ABCD (in Slack: the workspace's URL or About this workspace)")
	default:
		return "", fmt.Errorf("the database holds launches of several teams (%s): say which with --team", strings.Join(teams, ", "))
	}
}
