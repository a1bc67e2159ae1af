package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/golive/golive/bot/render"
	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/launch"
	"github.com/golive/golive/internal/metrics"
	"github.com/golive/golive/internal/templates"
)

// cmdNew starts a launch: new "<name>" <YYYY-MM-DD> [HH:MM] [template
// <name>] [confirm]. An unquoted name is accepted too: everything before
// the date. Without a time the launch is at the reminder time; a date in
// the past needs the word confirm.
func (b *Bot) cmdNew(ctx context.Context, c *call, args []string) reply {
	at := -1
	for i, a := range args {
		if _, err := launch.ParseDate(a); err == nil {
			at = i
			break
		}
	}
	if at < 1 {
		return b.usage(c, "new", "Give the launch a name and a date.")
	}
	name := strings.Join(args[:at], " ")
	when, rest, confirmed := dateArgs(args[at:])
	tmplName := templates.Default
	switch {
	case len(rest) == 0:
	case len(rest) >= 2 && strings.EqualFold(rest[0], "template"):
		tmplName = strings.Join(rest[1:], " ")
	default:
		return b.usage(c, "new", "I did not understand what follows the date.")
	}
	now := b.now()
	l := &launch.Launch{
		TeamID:    c.team,
		ChannelID: c.channel,
		Name:      name,
		Timezone:  b.timezone,
		Creator:   c.user,
		DatedAt:   now,
	}
	if err := b.dateLaunch(l, when, now); err != nil {
		return b.fail(c, err)
	}
	if l.DaysToLaunch(now) < 0 && !confirmed {
		return notice(pastDate(l, now, fmt.Sprintf("%s new “%s” %s confirm", slashName(c), inert(name), strings.Join(when, " "))))
	}
	tmpl, err := templates.Get(tmplName)
	if err != nil {
		return b.fail(c, launch.Errorf(launch.ENOTFOUND, "There is no template %q. Templates: %s.", tmplName, templateNames()))
	}
	list, _, err := checklist.Parse(tmpl.Markdown)
	if err != nil {
		return b.fail(c, fmt.Errorf("parse template %s: %w", tmpl.Name, err))
	}
	l.Template, l.Checklist = tmpl.Name, list
	if err := l.Validate(); err != nil {
		return b.fail(c, err)
	}
	l, err = b.createLaunch(ctx, l, c.user)
	if err != nil {
		return b.fail(c, err)
	}
	c.log.Info("launch created", "launch", l.ID, "template", tmpl.Name)
	b.syncReminders(c.log, l.ID)
	msg := render.Notice(fmt.Sprintf("<@%s> started the launch “%s” for %s (%s) from the %s template: %d items in %d sections. "+
		"Use `%s checklist` to tick items and `%s status` for readiness.",
		c.user, inert(l.Name), l.When(), l.Timezone, tmpl.Name, len(list.Items()), len(list.Sections), slashName(c), slashName(c)))
	return reply{msg: &msg, inChannel: true}
}

// dateArgs splits the words from a launch date on: the date and its time
// when one follows (when: a word with a colon, read by ParseTime), what
// comes after them (rest), and whether the word confirm ends them.
func dateArgs(args []string) (when, rest []string, confirmed bool) {
	n := 1
	if len(args) > 1 && strings.Contains(args[1], ":") {
		n = 2
	}
	when, rest = args[:n], args[n:]
	if k := len(rest); k > 0 && strings.EqualFold(rest[k-1], "confirm") {
		rest, confirmed = rest[:k-1], true
	}
	return when, rest, confirmed
}

// dateLaunch sets a new launch's date and time from when (dateArgs) at now:
// the date within ReadDate's range, the time the reminder time unless given.
func (b *Bot) dateLaunch(l *launch.Launch, when []string, now time.Time) error {
	date, err := launch.ReadDate(when[0], now, l.Location())
	if err != nil {
		return err
	}
	l.Date, l.Time = date, b.reminderTime().String()
	if len(when) > 1 {
		h, m, err := launch.ParseTime(when[1])
		if err != nil {
			return err
		}
		l.Time = fmt.Sprintf("%02d:%02d", h, m)
	}
	return nil
}

// pastDate asks to confirm a launch dated in the past, with the command
// that does it.
func pastDate(l *launch.Launch, now time.Time, again string) string {
	return fmt.Sprintf("%s is %s, in the past. If you go ahead, the time windows and reminders that have already passed are skipped, not posted. "+
		"To go ahead, run `%s`.", l.Date, daysWord(l.DaysToLaunch(now)), again)
}

// cmdImport opens the import form at once: the trigger id expires after 3 s.
func (b *Bot) cmdImport(ctx context.Context, c *call, _ []string) reply {
	err := b.startImport(ctx, importStart{team: c.team, channel: c.channel, user: c.user,
		triggerID: c.triggerID, responseURL: c.responseURL, log: c.log})
	if err != nil {
		return b.fail(c, err)
	}
	return reply{}
}

// cmdArchive ends the channel's launch so that a new one can start.
func (b *Bot) cmdArchive(ctx context.Context, c *call, _ []string) reply {
	l, err := b.change(ctx, c, func(l *launch.Launch, _ time.Time) ([]launch.Event, error) {
		return l.Archive(c.user)
	})
	if err != nil {
		return b.fail(c, err)
	}
	c.log.Info("launch archived", "launch", l.ID)
	b.syncReminders(c.log, l.ID)
	msg := render.Notice(fmt.Sprintf("<@%s> archived the launch “%s”. Its history is kept; `%s new` can start the next one here.",
		c.user, inert(l.Name), slashName(c)))
	return reply{msg: &msg, inChannel: true}
}

// cmdDate moves the launch date, and its time when one is given: date
// <YYYY-MM-DD> [HH:MM] [confirm]. A date in the past needs the word confirm.
func (b *Bot) cmdDate(ctx context.Context, c *call, args []string) reply {
	if len(args) == 0 {
		return b.usage(c, "date", "Give one date.")
	}
	when, rest, confirmed := dateArgs(args)
	if len(rest) > 0 {
		return b.usage(c, "date", "Give one date, and a time if you like.")
	}
	at := ""
	if len(when) > 1 {
		if _, _, err := launch.ParseTime(when[1]); err != nil {
			return b.fail(c, err)
		}
		at = when[1]
	}
	// The bot's clock dates the launch, as it does a new one.
	now := b.now()
	var past string
	l, before, err := changeWith(b, ctx, c, func(l *launch.Launch, _ time.Time) (string, []launch.Event, error) {
		before := l.When()
		moved := *l
		if _, err := moved.MoveDate(c.user, when[0], at, now); err != nil {
			return before, nil, err
		}
		if moved.DaysToLaunch(now) < 0 && moved.When() != before && !confirmed {
			past = pastDate(&moved, now, fmt.Sprintf("%s date %s confirm", slashName(c), strings.Join(when, " ")))
			return before, nil, nil
		}
		events, err := l.MoveDate(c.user, when[0], at, now)
		return before, events, err
	})
	if err != nil {
		return b.fail(c, err)
	}
	if past != "" {
		return notice(past)
	}
	if before == l.When() {
		return notice(fmt.Sprintf("The launch is already on %s; nothing changed.", l.When()))
	}
	b.refreshLaunch(l.TeamID, l.ID, fmt.Sprintf("<@%s> moved the launch date to %s", c.user, l.When()))
	b.syncReminders(c.log, l.ID)
	msg := render.Notice(fmt.Sprintf("<@%s> moved the launch “%s” from %s to %s (%s).",
		c.user, inert(l.Name), before, l.When(), daysWord(l.DaysToLaunch(now))))
	return reply{msg: &msg, inChannel: true}
}

// daysWord says how far the launch is: "in 12 days", "today", "3 days ago".
func daysWord(days int) string {
	switch {
	case days == 0:
		return "today"
	case days == 1:
		return "tomorrow"
	case days > 1:
		return fmt.Sprintf("in %d days", days)
	case days == -1:
		return "yesterday"
	default:
		return fmt.Sprintf("%d days ago", -days)
	}
}

// cmdTemplates lists the built-in checklists.
func (b *Bot) cmdTemplates(_ context.Context, _ *call, _ []string) reply {
	msg := render.Templates(templates.List())
	return reply{msg: &msg}
}

// usage answers a malformed subcommand with why and how to write it.
func (b *Bot) usage(c *call, sub, why string) reply {
	u := render.Usage(c.command, sub)
	msg := render.Message{Text: why + " " + u.Text, Blocks: append([]slack.Block{mrkdwnSection(render.Escape(why))}, u.Blocks...)}
	return reply{msg: &msg, outcome: metrics.Invalid}
}

func templateNames() string {
	return strings.Join(templates.Names(), ", ")
}

// slashName is the slash command as the user typed it, for examples.
func slashName(c *call) string {
	if c.command == "" {
		return "/golive"
	}
	return c.command
}

// location is the time zone new launches take, UTC when it cannot be loaded.
func (b *Bot) location() *time.Location {
	return (&launch.Launch{Timezone: b.timezone}).Location()
}
