package render

import (
	"strings"

	"github.com/slack-go/slack"
)

// Command documents one subcommand of the slash command for help and usage.
type Command struct {
	// Name is how the subcommand is typed: "tick", "remind now".
	Name    string
	Area    string
	Usage   string // arguments after the name
	Summary string
	Example string // arguments of an example after the name
}

// Areas of the help, in the order shown.
const (
	AreaLaunch    = "Launch"
	AreaChecklist = "Checklist"
	AreaApprovals = "Roles and approvals"
	AreaReminders = "Reminders"
)

// Commands is every subcommand, one line each: add yours here and help and
// usage pick it up.
var Commands = []Command{
	{"help", AreaLaunch, "[command]", "List the commands, or explain one.", "tick"},
	{"new", AreaLaunch, `"<name>" <YYYY-MM-DD> [HH:MM] [template <name>] [confirm]`, "Start a launch in this channel from a built-in checklist (`web` unless you name one; `templates` lists them), at a time of day (the reminder time unless given). A date in the past needs `confirm`.", `"Checkout v2" 2026-12-01 14:00 template enterprise`},
	{"import", AreaLaunch, "", "Open a form to paste a Markdown checklist and set the launch's name and date.", ""},
	{"status", AreaLaunch, "", "Post the readiness summary: days to launch, sections, gates, approvals, decision.", ""},
	{"date", AreaLaunch, "<YYYY-MM-DD> [HH:MM] [confirm]", "Move the launch date, and its time when given (the launch's creator). A date in the past needs `confirm`.", "2026-12-08 14:00"},
	{"templates", AreaLaunch, "", "List the built-in checklists `new` can start from.", ""},
	{"export", AreaLaunch, "json|csv|md", "The launch's full state as JSON, CSV or Markdown, in messages you can copy.", "csv"},
	{"token", AreaLaunch, `create "<name>" | list | revoke "<name>"`, "API tokens for pipelines, which report evidence on items with them (`golive report`, the HTTP API): `create` shows a new token once, to you alone, `revoke` ends one (the launch's creator); `list` shows the launch's tokens.", `create "ci"`},
	{"archive", AreaLaunch, "", "Archive this channel's launch so a new one can start (the launch's creator).", ""},
	{"checklist", AreaChecklist, "[section]", "Show the checklist to tick, one section at a time.", "Security"},
	{"tick", AreaChecklist, "<n> [<n> ...]", "Tick items by number.", "12 14"},
	{"untick", AreaChecklist, "<n> [<n> ...]", "Untick items by number.", "12"},
	{"owner", AreaChecklist, "<section name | item number> @user|none", "Assign the owner of a section or an item; `none` clears it.", "Security @dana"},
	{"add", AreaChecklist, `<section or group> "<text>"`, "Add an open item to a section or group; it gets a new number (its section's owner or the launch's creator).", `Security "Rotate the API keys"`},
	{"edit", AreaChecklist, `<n> "<text>"`, "Reword an item; the channel is told when the item was done (its section's owner or the launch's creator).", `12 "Load test at 2x peak"`},
	{"remove", AreaChecklist, `<n> "<reason>"`, "Take an item out: it no longer counts, stays in the export and the audit log, and its number is not reused (its section's owner or the launch's creator).", `12 "Covered by item 14"`},
	{"note", AreaChecklist, "<n> <text or link>", "Add evidence or a comment to an item, shown under it and exported (its section's owner or the launch's creator).", "12 https://ci.example.com/run/381"},
	{"na", AreaChecklist, "<n> \"<reason>\" | <n> off", "Mark an item not applicable: it leaves readiness and every gate, shown struck through with who and why; `off` undoes it. On a P0 item or one in a 100% gate, a role holder must accept it by DM, and it counts as open until then (its section's owner or the launch's creator).", "12 \"No mobile app in this release\""},
	{"waive", AreaChecklist, "<n> until <YYYY-MM-DD> \"<reason>\" | <n> off", "Let an open item count as done for its gates (never for readiness) until the end of that day, at most a year ahead; status and the decision list the waiver. When the date passes, the item reopens and the channel and its owner are told; `off` takes it away (a holder of one of the launch's roles).", "12 until 2026-12-10 \"WAF rule lands the day after launch\""},
	{"due", AreaChecklist, "<n> <YYYY-MM-DD | T-3d | off>", "Set when an item is due (T-3d: three days before the launch date; items in a time window are due with it); open items past it are flagged in status and their owners get the daily overdue DM (its section's owner or the launch's creator).", "12 T-3d"},
	{"fresh", AreaChecklist, "<n | section> <90m | 24h | 7d | off>", "Require an item's verification (a tick, or a pipeline's passing report) to be that recent: older, the item counts as open for its gates, and the launch-day reminder lists it to verify again (its section's owner or the launch's creator).", "12 24h"},
	{"probe", AreaChecklist, "<n> <http | tls | dns | prometheus> <target> [options] | <n> off | list", "Let golive check an item itself: a passing probe ticks it, a failing one unticks it and tells its owner and the channel, once per change. Probes run when set, before each window's reminder, every morning of the last week and at `decide`, and reach only the hosts the admin allows (its section's owner or the launch's creator). `list` shows each probe's last result.", "12 tls api.example.com min_days=30"},
	{"roles", AreaApprovals, "", "List each approver role with its holder and verdict.", ""},
	{"role", AreaApprovals, `"<Role Name>" @user | add "<Role Name>" | remove "<Role Name>"`, "Put a person in a role, or change the set of roles (the launch's creator).", `"Security Lead" @dana`},
	{"approvals", AreaApprovals, "", "Ask every role holder for their sign-off by DM.", ""},
	{"signoff", AreaApprovals, "<section>", "Sign a section off (its owner or the launch's creator).", "Security"},
	{"decide", AreaApprovals, "", "Post the GO / NO-GO decision in the channel.", ""},
	{"review", AreaApprovals, "<YYYY-MM-DD>", "Set the next review date after a NO-GO.", "2026-12-15"},
	{"schedule", AreaReminders, "", "Show the countdown reminders and when each is due.", ""},
	{"remind now", AreaReminders, "", "Post the current countdown reminder now.", ""},
	{"reminders", AreaReminders, "on|off", "Switch the countdown reminders on or off.", "off"},
	{"timezone", AreaReminders, "<IANA zone>", "Set the launch's time zone for dates and reminders.", "Europe/Paris"},
}

// LookupCommand finds a subcommand by its name, or by the first word of a
// name of several words ("remind" for "remind now").
func LookupCommand(name string) (Command, bool) {
	name = strings.ToLower(strings.TrimSpace(name))
	for _, c := range Commands {
		if c.Name == name {
			return c, true
		}
	}
	for _, c := range Commands {
		if first, _, _ := strings.Cut(c.Name, " "); first == name {
			return c, true
		}
	}
	return Command{}, false
}

func (c Command) line(command string) string {
	return strings.TrimSpace(command + " " + c.Name + " " + c.Usage)
}

func (c Command) example(command string) string {
	return strings.TrimSpace(command + " " + c.Name + " " + c.Example)
}

// Help lists every subcommand with an example each; command is the slash
// command as typed ("/golive").
func Help(command string) Message {
	command = slashName(command)
	blocks := []slack.Block{header("golive commands")}
	var names []string
	for _, area := range []string{AreaLaunch, AreaChecklist, AreaApprovals, AreaReminders} {
		lines := []string{"*" + area + "*"}
		for _, c := range Commands {
			if c.Area != area {
				continue
			}
			names = append(names, c.Name)
			lines = append(lines, "• `"+Escape(c.line(command))+"`: "+Escape(c.Summary)+" Example: `"+Escape(c.example(command))+"`")
		}
		for _, chunk := range chunkLines(lines, maxSectionText) {
			blocks = append(blocks, section(chunk))
		}
	}
	blocks = append(blocks, contextBlock("Items are numbered: the number shows next to each item in `"+Escape(command)+" checklist`."))
	return Message{
		Text:   clip(Escape("golive commands: "+strings.Join(names, ", ")), maxMessageText),
		Blocks: blocks,
	}
}

// Usage explains one subcommand with its example, for answers such as "did
// you mean". An unknown subcommand gets the whole help.
func Usage(command, sub string) Message {
	command = slashName(command)
	c, ok := LookupCommand(sub)
	if !ok {
		return Help(command)
	}
	text := "Usage: `" + Escape(c.line(command)) + "`\n" + Escape(c.Summary) + "\nExample: `" + Escape(c.example(command)) + "`"
	return Message{
		Text:   clip(Escape("Usage: "+c.line(command)), maxMessageText),
		Blocks: []slack.Block{section(text), contextBlock("`" + Escape(command) + " help` lists every command.")},
	}
}

// slashName keeps the typed slash command short and sane for display.
func slashName(command string) string {
	command = strings.TrimSpace(command)
	if command == "" || len(command) > 32 || strings.ContainsAny(command, " \n\t`") {
		return "/golive"
	}
	return command
}
