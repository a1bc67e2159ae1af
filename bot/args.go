package bot

import (
	"context"
	"errors"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/slack-go/slack"

	"github.com/golive/golive/internal/launch"
)

// entities undoes the escaping Slack applies to a command's text (with
// should_escape, "R&D" arrives as "R&amp;D"); render escapes again on output.
var entities = strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">")

// splitArgs splits a command's text into words. Double quotes, straight or
// curly, group words ("Checkout v2"); Slack's escaped forms such as
// <@U123|dana smith> stay one word, verbatim.
func splitArgs(text string) ([]string, error) {
	var (
		args    []string
		cur     strings.Builder
		plain   strings.Builder // text waiting to be unescaped into cur
		inWord  bool
		inQuote bool
	)
	flushPlain := func() {
		cur.WriteString(entities.Replace(plain.String()))
		plain.Reset()
	}
	endWord := func() {
		flushPlain()
		if inWord {
			args = append(args, cur.String())
		}
		cur.Reset()
		inWord = false
	}
	runes := []rune(text)
	for i := 0; i < len(runes); i++ {
		r := runes[i]
		switch {
		case r == '<':
			end := indexRune(runes[i:], '>')
			if end < 0 {
				plain.WriteRune(r)
				inWord = true
				continue
			}
			flushPlain()
			cur.WriteString(string(runes[i : i+end+1]))
			inWord = true
			i += end
		case isOpenQuote(r) && !inQuote:
			inQuote, inWord = true, true
		case isCloseQuote(r) && inQuote:
			inQuote = false
		case unicode.IsSpace(r) && !inQuote:
			endWord()
		default:
			plain.WriteRune(r)
			inWord = true
		}
	}
	if inQuote {
		return nil, launch.Errorf(launch.EINVALID, "A quote is not closed: put names in quotes, for example `new \"Checkout v2\" 2026-12-01`.")
	}
	endWord()
	return args, nil
}

func isOpenQuote(r rune) bool  { return r == '"' || r == '“' || r == '”' || r == '„' }
func isCloseQuote(r rune) bool { return r == '"' || r == '”' || r == '“' }

func indexRune(rs []rune, r rune) int {
	for i, x := range rs {
		if x == r {
			return i
		}
	}
	return -1
}

var (
	// escapedUser is a user mention as Slack sends it with should_escape
	// when someone picks a person from its autocomplete.
	escapedUser = regexp.MustCompile(`^<@([UW][A-Z0-9]{2,30})(?:\|[^>]*)?>$`)
	// rawUserID is a user id typed as such.
	rawUserID = regexp.MustCompile(`^@?([UW][A-Z0-9]{8,30})$`)
	// email is an address typed plainly, or as Slack escapes it
	// (<mailto:dana@example.com|dana@example.com>).
	email = regexp.MustCompile(`^(?:<mailto:([^|<>\s]+@[^|<>\s]+)(?:\|[^>]*)?>|@?([^@<>|\s]+@[^@<>|\s]+\.[^@<>|\s]+))$`)
)

// identityTimeout bounds asking Slack who a typed id or email is: the
// command still has to be answered within Slack's 3 s.
const identityTimeout = time.Second

// isMention tells whether arg looks like a person: a mention, an @name or
// an email address.
func isMention(arg string) bool {
	return strings.HasPrefix(arg, "<@") || strings.HasPrefix(arg, "@") || email.MatchString(arg)
}

// userRef reads a person from an argument. Identities come only from
// Slack: the user id of the mention Slack sends when someone is picked
// from its autocomplete (the label after the id is ignored: whoever sends
// the command could have typed it), or Slack's own answer for a typed user
// id (users.info) or email address (users.lookupByEmail). A plain @name is
// never resolved: Slack names are chosen by their owners and need not be
// unique, so trusting one would let anyone stand in for someone else.
func (b *Bot) userRef(ctx context.Context, team string, log *slog.Logger, arg string) (string, error) {
	if m := escapedUser.FindStringSubmatch(arg); m != nil {
		return m[1], nil
	}
	if m := rawUserID.FindStringSubmatch(arg); m != nil {
		ctx, cancel := context.WithTimeout(ctx, identityTimeout)
		defer cancel()
		u, err := b.api(ctx, team).GetUserInfoContext(ctx, m[1])
		return slackPerson(log, m[1], u, err)
	}
	if m := email.FindStringSubmatch(arg); m != nil {
		addr := firstNonEmpty(m[1], m[2])
		ctx, cancel := context.WithTimeout(ctx, identityTimeout)
		defer cancel()
		u, err := b.api(ctx, team).GetUserByEmailContext(ctx, addr)
		return slackPerson(log, addr, u, err)
	}
	name, ok := strings.CutPrefix(arg, "@")
	if !ok || name == "" {
		return "", launch.Errorf(launch.EINVALID, "Say who with an @mention, for example `@dana`; I read %q as no one.", arg)
	}
	return "", launch.Errorf(launch.EINVALID, msgPickPerson, name)
}

// standIn takes the place of a person while a change is tried before
// golive asks Slack who that person is.
const standIn = "U0STANDIN0"

// personFor is userRef for the person a change names, when the change may
// be refused. When finding the person means asking Slack (a typed id or
// email address), the change is first tried, with a stand-in, on a copy of
// the channel's launch: someone who may not make it is refused before any
// lookup, and learns nothing from Slack's answer (such as whether an email
// address belongs to someone in the workspace).
func (b *Bot) personFor(ctx context.Context, c *call, arg string, try func(l *launch.Launch, person string) error) (string, error) {
	if !escapedUser.MatchString(arg) && (rawUserID.MatchString(arg) || email.MatchString(arg)) {
		l, err := b.channelLaunch(ctx, c)
		if err != nil {
			return "", err
		}
		if err := try(l, standIn); err != nil {
			return "", err
		}
	}
	return b.userRef(ctx, c.team, c.log, arg)
}

// msgPickPerson answers a plain @name, which golive never resolves.
const msgPickPerson = "I cannot tell who @%s is from a typed name: names in Slack are chosen by their owners and need not be unique. " +
	"Type @ and pick the person from Slack's list, so that Slack sends a mention, or give their email address; nothing was changed."

// slackPerson is the user id of Slack's answer u about who (a typed id or
// email address), or why there is no one to use.
func slackPerson(log *slog.Logger, who string, u *slack.User, err error) (string, error) {
	var se slack.SlackErrorResponse
	switch {
	case errors.As(err, &se) && (se.Err == "user_not_found" || se.Err == "users_not_found"):
		return "", launch.Errorf(launch.EINVALID, "Slack knows nobody as %s in this workspace; nothing was changed. Type @ and pick the person from Slack's list.", who)
	case errors.As(err, &se) && se.Err == "missing_scope":
		return "", launch.Errorf(launch.EINVALID, "golive's Slack app may not look people up by email (its scopes lack users:read.email: reinstall it from manifest.yml); nothing was changed. Type @ and pick the person from Slack's list.")
	case err != nil:
		log.Warn("look up a person", "err", err)
		return "", launch.Errorf(launch.ECONFLICT, "Slack did not say who %s is in time; nothing was changed. Try again, or type @ and pick the person from Slack's list.", who)
	case u.Deleted:
		return "", launch.Errorf(launch.EINVALID, "%s is a deactivated Slack account; nothing was changed.", who)
	case u.IsBot:
		return "", launch.Errorf(launch.EINVALID, "%s is an app, not a person; nothing was changed.", who)
	}
	return u.ID, nil
}

// inertBrackets turns angle brackets into look-alikes.
var inertBrackets = strings.NewReplacer("<", "‹", ">", "›")

// inert makes user text safe inside our notices, which keep <@U…> mentions
// live: a name someone wrote can then neither ping nor link.
func inert(s string) string { return inertBrackets.Replace(s) }

// itemNumbers reads item numbers such as "12 14" or "12,14".
func itemNumbers(args []string) ([]int, error) {
	var out []int
	for _, a := range args {
		for _, f := range strings.FieldsFunc(a, func(r rune) bool { return r == ',' }) {
			n, err := strconv.Atoi(strings.TrimPrefix(f, "#"))
			if err != nil || n <= 0 {
				return nil, launch.Errorf(launch.EINVALID, "%q is not an item number: items are numbered 1, 2, 3, as `checklist` shows them.", f)
			}
			out = append(out, n)
		}
	}
	if len(out) == 0 {
		return nil, launch.Errorf(launch.EINVALID, "Say which items, by number: for example `tick 12 14`.")
	}
	return out, nil
}
