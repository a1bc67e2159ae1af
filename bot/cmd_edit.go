package bot

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/golive/golive/internal/launch"
	"github.com/golive/golive/internal/schedule"
)

// cmdAdd adds an open item to a section or group of the live launch:
// add <section or group> "<text>".
func (b *Bot) cmdAdd(ctx context.Context, c *call, args []string) reply {
	if len(args) < 2 {
		return b.usage(c, "add", "Say where the item goes (a section or group) and its text, in quotes.")
	}
	ref, text := strings.Join(args[:len(args)-1], " "), plainText(args[len(args)-1])
	type added struct {
		number int
		events []launch.Event
	}
	l, got, err := changeWith(b, ctx, c, func(l *launch.Launch, now time.Time) (added, []launch.Event, error) {
		n, events, err := l.AddItem(c.user, ref, text)
		return added{n, events}, events, err
	})
	if err != nil {
		return b.fail(c, err)
	}
	n := got.number
	b.refreshLaunch(l.TeamID, l.ID, fmt.Sprintf("<@%s> added item %d", c.user, n))
	c.log.Info("add", "launch", l.ID, "item", n)
	return notice(fmt.Sprintf("You added item %d: “%s”. It is open, and counts towards readiness and gates from now on.%s",
		n, inert(text), voidedSignoffs(got.events)))
}

// notItem answers a command about one item whose first argument is no item
// number with the command's usage.
func (b *Bot) notItem(c *call, sub, arg string) reply {
	return b.usage(c, sub, fmt.Sprintf("“%s” is not an item number.", clipWord(arg)))
}

// cmdEdit rewords an item: edit <n> "<text>". The channel hears of a done
// item that changed, since what was ticked is no longer what it says.
func (b *Bot) cmdEdit(ctx context.Context, c *call, args []string) reply {
	if len(args) < 2 {
		return b.usage(c, "edit", "Say which item, by number, and its new text, in quotes.")
	}
	n, ok := itemRef(args[0])
	if !ok {
		return b.notItem(c, "edit", args[0])
	}
	text := plainText(strings.Join(args[1:], " "))
	type edited struct {
		wasDone bool
		before  string
		changed bool
	}
	l, got, err := changeWith(b, ctx, c, func(l *launch.Launch, now time.Time) (edited, []launch.Event, error) {
		wasDone, before, events, err := l.EditItem(c.user, n, text)
		return edited{wasDone, before, len(events) > 0}, events, err
	})
	if err != nil {
		return b.fail(c, err)
	}
	if !got.changed {
		return notice(fmt.Sprintf("Item %d already says that; nothing changed.", n))
	}
	b.refreshLaunch(l.TeamID, l.ID, fmt.Sprintf("<@%s> reworded item %d", c.user, n))
	c.log.Info("edit", "launch", l.ID, "item", n, "was_done", got.wasDone)
	return notice(fmt.Sprintf("You reworded item %d: “%s”.", n, inert(text)))
}

// cmdRemove takes an item out of the launch: remove <n> "<reason>".
func (b *Bot) cmdRemove(ctx context.Context, c *call, args []string) reply {
	if len(args) < 2 {
		return b.usage(c, "remove", "Say which item, by number, and why it goes, in quotes.")
	}
	n, ok := itemRef(args[0])
	if !ok {
		return b.notItem(c, "remove", args[0])
	}
	reason := plainText(strings.Join(args[1:], " "))
	l, gone, err := changeWith(b, ctx, c, func(l *launch.Launch, now time.Time) (launch.RemovedItem, []launch.Event, error) {
		gone, events, err := l.RemoveItem(c.user, n, reason, now)
		return gone, events, err
	})
	if err != nil {
		return b.fail(c, err)
	}
	b.refreshLaunch(l.TeamID, l.ID, fmt.Sprintf("<@%s> removed item %d", c.user, n))
	c.log.Info("remove", "launch", l.ID, "item", n)
	return notice(fmt.Sprintf("You removed item %d (“%s”): %s. It no longer counts anywhere; the export and the audit log keep it, and its number is not given again.",
		n, inert(gone.Text), inert(reason)))
}

// cmdNote adds evidence or a comment to an item: note <n> <text or link>.
func (b *Bot) cmdNote(ctx context.Context, c *call, args []string) reply {
	if len(args) < 2 {
		return b.usage(c, "note", "Say which item, by number, and the note: some text or a link.")
	}
	n, ok := itemRef(args[0])
	if !ok {
		return b.notItem(c, "note", args[0])
	}
	text := plainText(strings.Join(args[1:], " "))
	l, err := b.change(ctx, c, func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
		return l.AddNote(c.user, n, text, now)
	})
	if err != nil {
		return b.fail(c, err)
	}
	b.refreshLaunch(l.TeamID, l.ID, fmt.Sprintf("<@%s> added a note to item %d", c.user, n))
	c.log.Info("note", "launch", l.ID, "item", n)
	return notice(fmt.Sprintf("You added a note to item %d: %s", n, inert(text)))
}

// cmdDue sets when an item is due: due <n> <YYYY-MM-DD | T-3d>, or
// due <n> off. Once the date has passed and the item is still open, status
// flags it and its owner gets the daily overdue DM.
func (b *Bot) cmdDue(ctx context.Context, c *call, args []string) reply {
	if len(args) != 2 {
		return b.usage(c, "due", "Say which item, by number, and its due date: YYYY-MM-DD, or T-3d for three days before the launch date; `off` takes it away.")
	}
	n, ok := itemRef(args[0])
	if !ok {
		return b.notItem(c, "due", args[0])
	}
	type dated struct {
		due     string
		changed bool
	}
	l, got, err := changeWith(b, ctx, c, func(l *launch.Launch, now time.Time) (dated, []launch.Event, error) {
		due, events, err := l.SetDue(c.user, n, args[1], now)
		return dated{due, len(events) > 0}, events, err
	})
	if err != nil {
		return b.fail(c, err)
	}
	window := b.windowOf(l, n)
	if !got.changed {
		if got.due == "" {
			return notice(fmt.Sprintf("Item %d has no due date of its own; nothing changed.%s", n, window))
		}
		return notice(fmt.Sprintf("Item %d is already due on %s; nothing changed.", n, got.due))
	}
	// Overdue DMs go out with the daily digest, which now may be wanted on
	// other days.
	b.syncReminders(c.log, l.ID)
	c.log.Info("due", "launch", l.ID, "item", n, "due", got.due)
	if got.due == "" {
		b.refreshLaunch(l.TeamID, l.ID, fmt.Sprintf("<@%s> took away the due date of item %d", c.user, n))
		return notice(fmt.Sprintf("Item %d has no due date of its own any more.%s", n, window))
	}
	b.refreshLaunch(l.TeamID, l.ID, fmt.Sprintf("<@%s> set item %d due on %s", c.user, n, got.due))
	return notice(fmt.Sprintf("Item %d is due on %s. If it is still open after that day, `status` flags it and its owner gets the daily overdue DM.", n, got.due))
}

// windowOf says which time window item n is due with when it has no due
// date of its own: " It is due with its window *1 Week Before Launch*
// (2026-11-24)."; "" when it is in none.
func (b *Bot) windowOf(l *launch.Launch, n int) string {
	for _, w := range schedule.Windows(l, b.reminderTime()) {
		if slices.Contains(w.Items, n) {
			return fmt.Sprintf(" It is due with its window *%s* (%s).", inert(w.Name), schedule.LocalDate(l, w.Due))
		}
	}
	return ""
}

// slackMarkup is what Slack makes of links, mentions and channels in a
// command's text: <https://x|label>, <@U123|dana>, <#C123|general>.
var slackMarkup = regexp.MustCompile(`<([^<>|]+)(?:\|([^<>]*))?>`)

// plainText turns Slack's markup in typed text back into what the person
// wrote, so that what is stored is plain text (escaped again wherever it is
// shown): a link stays its address, a mention or channel its name.
func plainText(s string) string {
	return slackMarkup.ReplaceAllStringFunc(s, func(m string) string {
		parts := slackMarkup.FindStringSubmatch(m)
		// splitArgs keeps Slack's markup verbatim, entities included.
		target, label := entities.Replace(parts[1]), entities.Replace(parts[2])
		switch {
		case strings.HasPrefix(target, "@"), strings.HasPrefix(target, "#"):
			if label != "" {
				return target[:1] + label
			}
			return target
		case strings.HasPrefix(target, "!"):
			// <!here>, <!channel>: stored as the word, never a live ping.
			return "@" + strings.TrimPrefix(strings.SplitN(target, "^", 2)[0], "!")
		default:
			return target // a link: its address
		}
	})
}
