package bot

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/golive/golive/bot/render"
	"github.com/golive/golive/internal/launch"
	"github.com/golive/golive/internal/metrics"
	"github.com/golive/golive/internal/suggest"
)

// call is one verified slash command: who typed it, where, and how to
// answer after the acknowledgement.
type call struct {
	id          string // request id, for the logs
	command     string // the slash command as typed, "/golive"
	team        string
	channel     string
	user        string
	responseURL string
	triggerID   string
	// text is the command's text as Slack sent it, for a subcommand that
	// reads its own grammar (a probe's spec keeps its quotes).
	text string
	log  *slog.Logger
}

// reply is what a command acknowledges with: nothing (the answer comes
// later through the Web API), or a message for the user or the channel.
type reply struct {
	msg       *render.Message
	inChannel bool
	// outcome is what the metrics record.
	outcome metrics.Outcome
}

// commandFunc runs one subcommand with its arguments.
type commandFunc func(ctx context.Context, c *call, args []string) reply

// commandTable maps each subcommand to its handler: adding a subcommand is
// one line here (and one in render.Commands for help).
func (b *Bot) commandTable() map[string]commandFunc {
	return map[string]commandFunc{
		"help":      b.cmdHelp,
		"new":       b.cmdNew,
		"import":    b.cmdImport,
		"status":    b.cmdStatus,
		"checklist": b.cmdChecklist,
		"tick":      b.cmdTick,
		"untick":    b.cmdUntick,
		"owner":     b.cmdOwner,
		"add":       b.cmdAdd,
		"edit":      b.cmdEdit,
		"remove":    b.cmdRemove,
		"note":      b.cmdNote,
		"due":       b.cmdDue,
		"na":        b.cmdNA,
		"waive":     b.cmdWaive,
		"fresh":     b.cmdFresh,
		"date":      b.cmdDate,
		"templates": b.cmdTemplates,
		"export":    b.cmdExport,
		"archive":   b.cmdArchive,
		"roles":     b.cmdRoles,
		"role":      b.cmdRole,
		"approvals": b.cmdApprovals,
		"signoff":   b.cmdSignoff,
		"decide":    b.cmdDecide,
		"review":    b.cmdReview,
		"schedule":  b.cmdSchedule,
		"remind":    b.cmdRemind,
		"reminders": b.cmdReminders,
		"timezone":  b.cmdTimezone,
		"token":     b.cmdToken,
		"probe":     b.cmdProbe,
	}
}

// slashCommand handles a verified slash command and returns the
// acknowledgement's body (nil for an empty one).
func (b *Bot) slashCommand(ctx context.Context, s slack.SlashCommand) any {
	start := time.Now()
	c := &call{
		id:          requestID(),
		command:     s.Command,
		team:        s.TeamID,
		channel:     s.ChannelID,
		user:        s.UserID,
		responseURL: s.ResponseURL,
		triggerID:   s.TriggerID,
		text:        s.Text,
	}
	c.log = b.log.With("request_id", c.id, "team", clip(c.team), "channel", clip(c.channel), "user", clip(c.user))

	ctx = withResponder(ctx, responder{url: c.responseURL, log: c.log,
		what: "your `" + render.Escape(clipWord(strings.TrimSpace(c.command+" "+s.Text))) + "`"})
	sub, r := b.runCommand(ctx, c, s.Text)
	b.metrics.Command(sub, r.outcome)
	b.metrics.ObserveRequest("command", time.Since(start))
	c.log.Info("command", "sub", sub, "outcome", string(r.outcome), "ms", time.Since(start).Milliseconds())
	if r.msg == nil {
		return nil
	}
	kind := slack.ResponseTypeEphemeral
	if r.inChannel {
		kind = slack.ResponseTypeInChannel
	}
	return commandAnswer{ResponseType: kind, Text: r.msg.Text, Blocks: r.msg.Blocks}
}

// commandAnswer is a slash command's acknowledgement with a message.
type commandAnswer struct {
	ResponseType string        `json:"response_type"`
	Text         string        `json:"text"`
	Blocks       []slack.Block `json:"blocks,omitempty"`
}

// runCommand dispatches text to its subcommand; sub names it for metrics
// and logs (from our table, never the user's words).
func (b *Bot) runCommand(ctx context.Context, c *call, text string) (sub string, r reply) {
	// Direction overrides are dropped from everything typed, before it is
	// read, stored or quoted back.
	args, err := splitArgs(launch.StripBidi(text))
	if err != nil {
		return "invalid", b.fail(c, err)
	}
	if len(args) == 0 {
		return "help", b.cmdHelp(ctx, c, nil)
	}
	name := strings.ToLower(args[0])
	run, ok := b.commands[name]
	if !ok {
		return "unknown", b.unknown(c, args[0])
	}
	r = run(ctx, c, args[1:])
	if r.outcome == "" {
		r.outcome = metrics.OK
	}
	return name, r
}

// unknown answers a word that is no subcommand with the closest one.
func (b *Bot) unknown(c *call, word string) reply {
	names := make([]string, 0, len(b.commands))
	for n := range b.commands {
		names = append(names, n)
	}
	slices.Sort(names)
	best, _ := suggest.Closest(word, names)
	usage := render.Usage(c.command, best)
	intro := "`" + render.Escape(clipWord(word)) + "` is not a golive command. Did you mean `" + best + "`?"
	blocks := append([]slack.Block{slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, intro, false, false), nil, nil)}, usage.Blocks...)
	return reply{msg: &render.Message{Text: intro, Blocks: blocks}, outcome: metrics.Invalid}
}

// clipWord keeps an unknown word short enough to quote back.
func clipWord(w string) string {
	if r := []rune(w); len(r) > 40 {
		return string(r[:39]) + "…"
	}
	return w
}

func (b *Bot) cmdHelp(_ context.Context, c *call, args []string) reply {
	if len(args) > 0 {
		msg := render.Usage(c.command, strings.Join(args, " "))
		return reply{msg: &msg}
	}
	msg := render.Help(c.command)
	return reply{msg: &msg}
}

// notice is an ephemeral one-line answer.
func notice(text string) reply {
	msg := render.Notice(text)
	return reply{msg: &msg, outcome: metrics.OK}
}

// fail turns an error into the user's answer: the domain's message for a
// coded error, a generic one (and a log line with the detail) otherwise.
func (b *Bot) fail(c *call, err error) reply {
	outcome := outcomeOf(err)
	if outcome == metrics.Failed {
		c.log.Error("command failed", "err", err)
	}
	msg := render.Notice(userMessage(err))
	return reply{msg: &msg, outcome: outcome}
}

// outcomeOf classifies an error for the metrics.
func outcomeOf(err error) metrics.Outcome {
	switch launch.ErrorCode(err) {
	case "":
		return metrics.OK
	case launch.EFORBIDDEN:
		return metrics.Refused
	case launch.EINVALID, launch.ENOTFOUND, launch.ECONFLICT:
		return metrics.Invalid
	default:
		return metrics.Failed
	}
}
