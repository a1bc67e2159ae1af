package render

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/launch"
	"github.com/golive/golive/internal/schedule"
)

// Block budgets of a reminder: with its fixed blocks it stays under 50.
const (
	reminderTaskBlocks    = 30
	reminderOverdueBlocks = 10
	// reminderTextMax keeps an item's text short in a reminder's lines.
	reminderTextMax = 200
)

// ReminderMessage renders what a reminder says (schedule.Compose):
//   - a window's opening: the window named as the checklist names it, the
//     countdown line, the tasks' owners mentioned, checkboxes to tick the
//     tasks, and the open tasks of earlier windows as overdue;
//   - the daily countdown: the line and the next window to open;
//   - an overdue DM: the owner's open tasks of windows that have passed.
//
// The checkboxes are the checklist's own elements (same block and action
// ids, same items), so a click is handled exactly as on the checklist.
func ReminderMessage(l *launch.Launch, c schedule.Content, names Names) Message {
	switch c.Kind {
	case schedule.KindWindow:
		return windowReminder(l, c, names)
	case schedule.KindOverdueDM:
		return overdueDM(l, c)
	}
	return countdownReminder(l, c)
}

func windowReminder(l *launch.Launch, c schedule.Content, names Names) Message {
	open := 0
	for _, it := range c.Tasks {
		if !it.Done {
			open++
		}
	}
	name := clip(l.Name, 100)
	blocks := []slack.Block{
		header("⏰ " + c.Window.Name),
		section("⏳ " + Escape(c.Countdown)),
		contextBlock(Escape(name) + " · launch on " + Escape(l.When()) + " (" + Escape(l.Timezone) + ")"),
		section(taskSummary(l, c.Tasks, open)),
	}
	boxes, left := windowCheckboxes(l, c.Window.Window, names)
	blocks = append(blocks, boxes...)
	if left > 0 {
		blocks = append(blocks, contextBlock(fmt.Sprintf("_… and %d more tasks: `checklist` shows them all._", left)))
	}
	if len(c.Overdue) > 0 {
		lines := []string{fmt.Sprintf("*Overdue from earlier windows* (%d open)", len(c.Overdue))}
		for _, t := range c.Overdue {
			lines = append(lines, overdueLine(t, true, true))
		}
		blocks = append(blocks, lineBlocks(lines, reminderOverdueBlocks, moreLine("overdue tasks"))...)
	}
	blocks = append(blocks, lineBlocks(reverifyLines(l, c.Reverify), freshBlocks, moreLine("items"))...)
	blocks = append(blocks, lineBlocks(probeLines(l, c.At), probeBlocks, moreLine("failing probes"))...)
	blocks = append(blocks, contextBlock("Tick a box when a task is done, or type `tick <number>`. `schedule` lists the coming reminders."))
	text := fmt.Sprintf("%s: %d of %d tasks open for %s. %s.", c.Window.Name, open, len(c.Tasks), name, c.Countdown)
	if len(c.Overdue) > 0 {
		text += fmt.Sprintf(" %d overdue from earlier windows.", len(c.Overdue))
	}
	return Message{Text: clip(Escape(text), maxMessageText), Blocks: blocks}
}

// taskSummary counts the window's open tasks and mentions their owners.
func taskSummary(l *launch.Launch, tasks []*checklist.Item, open int) string {
	if len(tasks) == 0 {
		return "_This window has no tasks._"
	}
	if open == 0 {
		return fmt.Sprintf("All %d tasks of this window are done. 🎉", len(tasks))
	}
	byOwner := map[string][]string{}
	var unowned []string
	for _, it := range tasks {
		if it.Done {
			continue
		}
		n := strconv.Itoa(it.Number)
		if o := schedule.Owner(l, it.Number); o != "" {
			byOwner[o] = append(byOwner[o], n)
		} else {
			unowned = append(unowned, n)
		}
	}
	owners := make([]string, 0, len(byOwner))
	for o := range byOwner {
		owners = append(owners, o)
	}
	sort.Strings(owners)
	parts := make([]string, 0, len(owners)+1)
	for _, o := range owners {
		parts = append(parts, mention(o)+" "+strings.Join(byOwner[o], ", "))
	}
	if len(unowned) > 0 {
		parts = append(parts, "unassigned "+strings.Join(unowned, ", ")+" (`owner <number> @someone`)")
	}
	return fmt.Sprintf("*%d of %d tasks open* · %s", open, len(tasks), strings.Join(parts, " · "))
}

// windowCheckboxes returns the checklist's checkbox elements holding the
// window's group, at most reminderTaskBlocks of them, and how many tasks
// did not fit.
func windowCheckboxes(l *launch.Launch, w checklist.Window, names Names) ([]slack.Block, int) {
	secs := l.Checklist.Sections
	if w.Section < 0 || w.Section >= len(secs) || w.Group < 0 || w.Group >= len(secs[w.Section].Groups) {
		return nil, 0
	}
	g := secs[w.Section].Groups[w.Group]
	var blocks []slack.Block
	left := 0
	for p, page := range paginate(secs[w.Section]) {
		k := 0
		for _, u := range page {
			if u.items == nil {
				continue
			}
			if u.group == g {
				if len(blocks) < reminderTaskBlocks {
					blocks = append(blocks, checkboxBlock(View{Section: w.Section, Page: p}, k, u.items, names))
				} else {
					left += len(u.items)
				}
			}
			k++
		}
	}
	return blocks, left
}

// overdueLine shows an overdue task: "• *5* Final audit — @owner · _1 Week Before Launch_".
func overdueLine(t schedule.OverdueTask, withOwner, withWindow bool) string {
	line := "• *" + strconv.Itoa(t.Number) + "* " + Escape(clip(oneLine(t.Text), reminderTextMax))
	if withOwner && t.Owner != "" {
		line += " — " + mention(t.Owner)
	}
	switch {
	case t.Due != "":
		line += " · _due " + Escape(t.Due) + "_"
	case withWindow && t.Window != "":
		line += " · _" + Escape(clip(t.Window, 100)) + "_"
	}
	return line
}

func countdownReminder(l *launch.Launch, c schedule.Content) Message {
	next := "No window left to open."
	if c.Next != nil {
		next = "Next: *" + Escape(clip(c.Next.Name, 150)) + "* on " +
			c.Next.Due.In(l.Location()).Format("Mon 2 Jan at 15:04") + " (" + Escape(l.Timezone) + ")"
	}
	blocks := []slack.Block{section("⏳ " + Escape(c.Countdown))}
	blocks = append(blocks, lineBlocks(reverifyLines(l, c.Reverify), freshBlocks, moreLine("items"))...)
	blocks = append(blocks, lineBlocks(probeLines(l, c.At), probeBlocks, moreLine("failing probes"))...)
	blocks = append(blocks, contextBlock(Escape(clip(l.Name, 100))+" · "+next, "`status` for details · `reminders off` stops these daily posts"))
	return Message{
		Text:   clip(Escape(c.Countdown), maxMessageText),
		Blocks: blocks,
	}
}

func overdueDM(l *launch.Launch, c schedule.Content) Message {
	name := clip(l.Name, 100)
	lines := []string{fmt.Sprintf("*%s* in %s: %s of yours %s open, and %s.",
		Escape(name), channelRef(l.ChannelID), countTasks(len(c.Overdue)), isAre(len(c.Overdue)), overdueWhy(c.Overdue))}
	nums := make([]string, 0, len(c.Overdue))
	for _, t := range c.Overdue {
		lines = append(lines, overdueLine(t, false, true))
		nums = append(nums, strconv.Itoa(t.Number))
	}
	blocks := lineBlocks(lines, reminderOverdueBlocks, moreLine("overdue tasks"))
	blocks = append(blocks, contextBlock("Tick them on the checklist in "+channelRef(l.ChannelID)+", or type `tick "+
		strings.Join(nums, " ")+"` there. "+Escape(c.Countdown)))
	return Message{
		Text:   clip(Escape(fmt.Sprintf("%s overdue in %s: %s", countTasks(len(c.Overdue)), name, strings.Join(nums, ", "))), maxMessageText),
		Blocks: blocks,
	}
}

// overdueWhy says what passed: the tasks' window, their own due date, or
// either.
func overdueWhy(tasks []schedule.OverdueTask) string {
	dated := 0
	for _, t := range tasks {
		if t.Due != "" {
			dated++
		}
	}
	its := theirIts(len(tasks))
	switch dated {
	case 0:
		return its + " window has passed"
	case len(tasks):
		return its + " due date has passed"
	}
	return "their due date or window has passed"
}

func countTasks(n int) string {
	if n == 1 {
		return "1 task"
	}
	return fmt.Sprintf("%d tasks", n)
}

func isAre(n int) string {
	if n == 1 {
		return "is"
	}
	return "are"
}

func theirIts(n int) string {
	if n == 1 {
		return "its"
	}
	return "their"
}

// Block budgets of `schedule`'s answer.
const (
	reminderScheduleBlocks = 10
	reminderTroubleBlocks  = 5
)

// ReminderSchedule renders what `schedule` answers: every reminder still to
// come for the launch (schedule.Plan) with its local time; the reminders
// whose posts failed (troubled: waiting for a retry, or given up on), so
// that whoever looks sees them; and how the daily posts, overdue DMs and
// approval nudges (to the holders asks says still owe an answer) go.
func ReminderSchedule(l *launch.Launch, asks schedule.Asks, troubled []schedule.Reminder, tod schedule.TimeOfDay, now time.Time) Message {
	name := clip(l.Name, 100)
	lines := []string{fmt.Sprintf("*Coming reminders for %s* · times in %s", Escape(name), Escape(l.Timezone))}
	plan := schedule.Plan(l, asks, tod, now)
	sort.SliceStable(plan, func(i, j int) bool { return plan[i].DueAt.Before(plan[j].DueAt) })
	n := 0
	for _, r := range plan {
		if !r.DueAt.After(now) || r.Kind == schedule.KindDigest {
			continue
		}
		when := r.DueAt.In(l.Location()).Format("Mon 2 Jan 15:04")
		switch r.Kind {
		case schedule.KindWindow:
			w, _ := schedule.Window(l, tod, r.Key)
			lines = append(lines, fmt.Sprintf("• %s — *%s* (%s)", when, Escape(clip(w.Name, 150)), countTasks(len(w.Items))))
		case schedule.KindCountdown:
			lines = append(lines, "• "+when+" — daily countdown")
		}
		n++
	}
	if n == 0 {
		lines = append(lines, "_Nothing more is planned: every window has opened._")
	}
	daily := "The daily countdown is on; `reminders off` switches it off."
	if l.RemindersOff {
		daily = "The daily countdown is off; `reminders on` switches it back on."
	}
	blocks := lineBlocks(lines, reminderScheduleBlocks, moreLine("reminders"))
	blocks = append(blocks, troubleBlocks(l, troubled)...)
	notes := []string{daily, fmt.Sprintf("Owners of overdue tasks get one DM a day at %s. `remind now` posts the current window again.", tod)}
	if holders := schedule.Awaiting(l, asks, now); len(holders) > 0 && schedule.LocalDate(l, now) <= l.Date {
		who := make([]string, len(holders))
		for i, h := range holders {
			who[i] = mention(h)
		}
		notes = append(notes, fmt.Sprintf("Still to answer the approval request: %s; asked again by DM at %s each day up to launch day.",
			strings.Join(who, ", "), tod))
	}
	blocks = append(blocks, contextBlock(notes...))
	text := fmt.Sprintf("Coming reminders for %s: %d", name, n)
	if len(troubled) > 0 {
		text += fmt.Sprintf("; %d failing", len(troubled))
	}
	return Message{Text: clip(Escape(text), maxMessageText), Blocks: blocks}
}

// troubleBlocks lists the reminders whose posts failed: those retried
// with their attempts and next try, those given up on. What went wrong is
// said in words; Slack never sees the error's own text.
func troubleBlocks(l *launch.Launch, troubled []schedule.Reminder) []slack.Block {
	if len(troubled) == 0 {
		return nil
	}
	lines := []string{fmt.Sprintf("*Reminders that failed* (%d)", len(troubled))}
	for _, r := range troubled {
		what := "• ⚠️ " + r.DueAt.In(l.Location()).Format("Mon 2 Jan 15:04") + " — " + reminderName(l, r) + ": "
		if r.State == schedule.StateDead {
			what += "given up on"
		} else {
			what += fmt.Sprintf("%s so far, next try %s", countAttempts(r.Attempts),
				r.NextAttemptAt.In(l.Location()).Format("Mon 2 Jan 15:04"))
		}
		lines = append(lines, what+" · "+troubleReason(r.LastError))
	}
	return lineBlocks(lines, reminderTroubleBlocks, moreLine("failed reminders"))
}

// reminderName says what a reminder is: "*Launch Day*", "overdue DM to @dana".
func reminderName(l *launch.Launch, r schedule.Reminder) string {
	switch r.Kind {
	case schedule.KindWindow:
		name := r.Payload.Window
		if name == "" {
			name = r.Key
		}
		return "*" + Escape(clip(name, 150)) + "*"
	case schedule.KindCountdown:
		return "daily countdown"
	case schedule.KindOverdueDM:
		return "overdue DM to " + mention(r.Payload.Owner)
	case schedule.KindApprovalDM:
		return "approval request DM to " + mention(r.Payload.Owner)
	case schedule.KindWaiverLapse:
		return "waiver lapse notice"
	case schedule.KindWaiverLapseDM:
		return "waiver ended DM to " + mention(r.Payload.Owner)
	}
	return Escape(clip(string(r.Kind), 40))
}

func countAttempts(n int) string {
	if n == 1 {
		return "1 attempt"
	}
	return fmt.Sprintf("%d attempts", n)
}

// troubleReasons say in words what a failed post's error means, by the
// Slack error code or phrase it contains.
var troubleReasons = []struct{ code, reason string }{
	{"not_in_channel", "golive is not in the channel: `/invite @golive` there"},
	{"channel_not_found", "the channel is gone"},
	{"is_archived", "the channel is archived"},
	{"user_not_found", "the person is not in the workspace"},
	{"user_disabled", "the person's account is deactivated"},
	{"cannot_dm_bot", "the person is a bot"},
	{"rate limit", "Slack's rate limit"},
	{"deadline exceeded", "Slack did not answer in time"},
}

// troubleReason explains a failed post's error without showing it: the
// error's text is for the logs, not for Slack.
func troubleReason(lastError string) string {
	for _, t := range troubleReasons {
		if strings.Contains(lastError, t.code) {
			return t.reason
		}
	}
	return "the post failed (golive's logs say why)"
}
